package dev.yardmaster.fleet;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The fleet page: the static inventory with what each host was last seen running, add/remove
 * hosts, and imports (CSV, YAML, Ansible) previewed as a diff before they are applied.
 */
@Path("/fleet")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class FleetPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fleet(List<Host> hosts, List<String> environments, String environment,
                Map<String, Long> counts, Map<String, List<HostPackage>> running, List<String> formats, HostForm form,
                List<String> errors, Paging paging);

        static native TemplateInstance importPreview(InventoryImport.Diff diff, String inventory, String format, boolean prune,
                String error, Integer errorLine, List<String> formats);
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

    private static final List<String> FORMATS = Arrays.stream(InventoryFormat.values()).map(f -> f.id).toList();

    private final Inventory inventory;
    private final InventoryImport imports;
    private final CurrentUser user;
    private final Flash flash;
    private final AuditLog audit;

    FleetPages(Inventory inventory, InventoryImport imports, CurrentUser user, Flash flash, AuditLog audit) {
        this.inventory = inventory;
        this.imports = imports;
        this.user = user;
        this.flash = flash;
        this.audit = audit;
    }

    @GET
    @Transactional
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
                env, Inventory.countsByEnvironment(), HostPackage.byHost(), FORMATS, form, errors,
                new Paging(current, pages, total, env));
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
            Host host = inventory.add(Editor.of(user, user.actor()), new Inventory.HostInput(name, address, portNumber,
                    environment, nodeType, Inventory.list(tags), Inventory.list(packages), Inventory.list(services)));
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
        inventory.remove(Editor.of(user, user.actor()), id);
        return flash.redirect("/fleet", "Removed " + name + ".");
    }

    /** Shows what the import would do; changes nothing. The form keeps the text for "Apply". */
    @POST
    @Path("/import/preview")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response preview(@FormParam("inventory") String text, @FormParam("format") String format,
            @FormParam("prune") String prune) {
        String chosen = format == null || format.isBlank() ? null : format;
        try {
            InventoryImport.Diff diff = imports.importText(Editor.of(user, user.actor()), text, chosen, true, prune != null,
                    "fleet page", null);
            return Response.ok(Templates.importPreview(diff, text, chosen, prune != null, null, null, FORMATS)).build();
        } catch (YardmasterException e) {
            return Response.status(e.status())
                    .entity(Templates.importPreview(null, text, chosen, prune != null, e.getMessage(), line(e), FORMATS)).build();
        }
    }

    /** Applies the import whole, then back to the fleet (303); a refusal shows the preview again with the text kept. */
    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response importHosts(@FormParam("inventory") String text, @FormParam("format") String format,
            @FormParam("prune") String prune, @FormParam("fingerprint") String fingerprint) {
        String chosen = format == null || format.isBlank() ? null : format;
        try {
            // The fingerprint of the previewed diff: what is applied is what the person saw.
            InventoryImport.Diff diff = imports.importText(Editor.of(user, user.actor()), text, chosen, false, prune != null,
                    "fleet page", fingerprint);
            return flash.redirect("/fleet", "Imported (" + diff.format() + "): " + diff.added().size() + " added, "
                    + diff.changed().size() + " changed, " + diff.removed().size() + " removed, " + diff.unchanged()
                    + " unchanged.");
        } catch (YardmasterException e) {
            audit.refused(user.actor(), "POST /fleet/import", e.problem());
            InventoryImport.Diff diff = e.problem().extensions().get("diff") instanceof InventoryImport.Diff d ? d : null;
            return Response.status(e.status())
                    .entity(Templates.importPreview(diff, text, chosen, prune != null, e.getMessage(), line(e), FORMATS)).build();
        }
    }

    private static Integer line(YardmasterException e) {
        return e.problem().extensions().get("line") instanceof Integer line ? line : null;
    }
}
