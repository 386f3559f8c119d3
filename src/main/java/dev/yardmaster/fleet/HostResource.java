package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The static inventory for bots and scripts. Changing a host needs the role that may roll its
 * environment (both environments for a move), and none of them locked or frozen.
 */
@Path("/api/hosts")
@Tag(name = "Fleet")
public class HostResource {

    private final Inventory inventory;
    private final InventoryImport imports;
    private final CurrentUser user;

    HostResource(Inventory inventory, InventoryImport imports, CurrentUser user) {
        this.inventory = inventory;
        this.imports = imports;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Hosts of the static inventory, optionally of one environment")
    public List<HostView> list(@QueryParam("environment") String environment) {
        List<Host> hosts = environment == null || environment.isBlank() ? Host.inOrder() : Host.in(environment);
        return hosts.stream().map(HostView::of).toList();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One host")
    public HostView get(@PathParam("id") long id) {
        return HostView.of(inventory.require(id));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Add a host", description = "Needs the role that may roll the host's environment (prod: release-manager); "
            + "423 while it is locked or frozen.")
    public Response add(Inventory.HostInput input, @QueryParam("onBehalfOf") String onBehalfOf) {
        Host host = inventory.add(Editor.of(user, user.actor(onBehalfOf)), orEmpty(input));
        return Response.created(URI.create("/api/hosts/" + host.id)).entity(HostView.of(host)).build();
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Change or move a host", description = "Needs the role that may roll its environment; moving it needs "
            + "that role on both sides. 423 while either is locked or frozen. Audited with before and after.")
    public HostView update(@PathParam("id") long id, Inventory.HostInput input, @QueryParam("onBehalfOf") String onBehalfOf) {
        return HostView.of(inventory.update(Editor.of(user, user.actor(onBehalfOf)), id, orEmpty(input)));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Remove a host", description = "Needs the role that may roll its environment; 423 while locked or frozen.")
    public Response remove(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        inventory.remove(Editor.of(user, user.actor(onBehalfOf)), id);
        return Response.noContent().build();
    }

    @POST
    @Path("/import")
    @Consumes({ "text/csv", "application/yaml", "text/yaml", "application/x-yaml", MediaType.TEXT_PLAIN,
            MediaType.APPLICATION_OCTET_STREAM })
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Import hosts: CSV, Yardmaster's YAML, or an Ansible INI/YAML inventory; all or nothing",
            description = "format: csv | yaml | ansible-ini | ansible-yaml (default: guessed). Known address:port pairs "
                    + "(else names) are changed. dryRun=true returns the diff (added, changed with before/after, removed, "
                    + "refused with the reason per host) and changes nothing. prune=true also removes the hosts of the "
                    + "environments the file names that it does not list. Any refused host refuses the whole import "
                    + "(422, listing them); a file that cannot be read is 400 naming the line. expect=<a dry run's "
                    + "fingerprint> applies only if the diff is still the one the dry run showed (else 409 import-stale).")
    public InventoryImport.Diff importHosts(String body, @QueryParam("format") String format,
            @QueryParam("dryRun") String dryRun, @QueryParam("prune") String prune, @QueryParam("expect") String expect,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        return imports.importText(Editor.of(user, user.actor(onBehalfOf)), body, format, flag("dryRun", dryRun),
                flag("prune", prune), "api", expect);
    }

    /** true / false (absent: false); anything else is a 400 rather than a silent false. */
    static boolean flag(String name, String value) {
        if (value == null || value.isBlank() || value.strip().equals("false")) {
            return false;
        }
        if (value.strip().equals("true")) {
            return true;
        }
        throw YardmasterException.badRequest("bad-parameter", name + " must be true or false, not '" + Names.printable(value) + "'.");
    }

    private static Inventory.HostInput orEmpty(Inventory.HostInput input) {
        return input == null ? new Inventory.HostInput(null, null, null, null, null, null, null, null) : input;
    }
}
