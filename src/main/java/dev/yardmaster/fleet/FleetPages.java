package dev.yardmaster.fleet;

import dev.yardmaster.environment.Environment;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import dev.yardmaster.web.YardmasterException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The fleet page: the static inventory, add/remove hosts, import CSV or YAML. */
@Path("/fleet")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class FleetPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fleet(List<Host> hosts, List<String> environments, String environment,
                java.util.Map<String, Long> counts, HostForm form, List<String> errors, Paging paging);
    }

    /**
     * Hosts are shown {@value #PAGE_SIZE} at a time: 1,000 hosts on one page made a 250 kB table
     * that a phone laid out for seconds.
     */
    static final int PAGE_SIZE = 100;

    /** Where the page is in the host list; page numbers count from 1 for people. */
    public record Paging(int page, int pages, long total, String environment) {
        public boolean hasPrevious() {
            return page > 1;
        }

        public boolean hasNext() {
            return page < pages;
        }

        public long first() {
            return total == 0 ? 0 : (long) (page - 1) * PAGE_SIZE + 1;
        }

        public long last() {
            return Math.min(total, (long) page * PAGE_SIZE);
        }
    }

    /** The add-host form as typed, shown back after a refusal so nothing has to be typed twice. */
    public record HostForm(String name, String address, String port, String environment, String nodeType, String tags,
            String packages, String services) {
        static final HostForm EMPTY = new HostForm("", "", "", "", "", "", "", "");
    }

    private final Inventory inventory;
    private final CurrentUser user;
    private final Flash flash;

    FleetPages(Inventory inventory, CurrentUser user, Flash flash) {
        this.inventory = inventory;
        this.user = user;
        this.flash = flash;
    }

    @GET
    public TemplateInstance fleet(@QueryParam("environment") String environment, @QueryParam("page") String page) {
        int number = page != null && page.strip().matches("[0-9]{1,6}") ? Math.max(1, Integer.parseInt(page.strip())) : 1;
        return page(environment, number, HostForm.EMPTY, List.of());
    }

    private TemplateInstance page(String environment, int number, HostForm form, List<String> errors) {
        String env = environment == null ? "" : environment.strip();
        long total = env.isEmpty() ? Host.count() : Host.count("environment", env);
        int pages = (int) Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
        int current = Math.min(number, pages);
        return Templates.fleet(Host.page(env, current - 1, PAGE_SIZE), Environment.inLifecycleOrder().stream().map(e -> e.name).toList(),
                env, Inventory.countsByEnvironment(), form, errors, new Paging(current, pages, total, env));
    }

    @POST
    @Path("/hosts")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response add(@FormParam("name") String name, @FormParam("address") String address, @FormParam("port") String port,
            @FormParam("environment") String environment, @FormParam("nodeType") String nodeType,
            @FormParam("tags") String tags, @FormParam("packages") String packages, @FormParam("services") String services) {
        HostForm form = new HostForm(name, address, port, environment, nodeType, tags, packages, services);
        List<String> errors = new java.util.ArrayList<>();
        Integer portNumber = null;
        if (port != null && !port.isBlank()) {
            if (!port.strip().matches("[0-9]{1,5}")) {
                errors.add("Port must be a number between 1 and 65535.");
            } else {
                portNumber = Integer.valueOf(port.strip());
            }
        }
        if (!errors.isEmpty()) {
            return Response.status(400).entity(page(null, 1, form, errors)).build();
        }
        try {
            Host host = inventory.add(user.actor(), new Inventory.HostInput(name, address, portNumber, environment, nodeType,
                    Inventory.list(tags), Inventory.list(packages), Inventory.list(services)));
            return flash.redirect("/fleet", "Added " + host.name + ".");
        } catch (YardmasterException refused) {
            errors.add(refused.getMessage());
            return Response.status(refused.status()).entity(page(null, 1, form, errors)).build();
        }
    }

    @POST
    @Path("/hosts/{id}/delete")
    @RolesAllowed(Roles.DEPLOYER)
    public Response remove(@PathParam("id") long id) {
        String name = inventory.require(id).name;
        inventory.remove(user.actor(), id);
        return flash.redirect("/fleet", "Removed " + name + ".");
    }

    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response importHosts(@FormParam("inventory") String text) {
        Inventory.ImportResult result = inventory.importText(user.actor(), text, "fleet page");
        return flash.redirect("/fleet", "Imported: " + result.added() + " added, " + result.updated() + " updated.");
    }
}
