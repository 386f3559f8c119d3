package dev.yardmaster.fleet;

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

/** The static inventory for bots and scripts. */
@Path("/api/hosts")
@Tag(name = "Fleet")
public class HostResource {

    public record HostView(long id, String name, String address, int port, String environment, String nodeType,
            List<String> tags, List<String> packages, List<String> services, String source) {
        static HostView of(Host h) {
            return new HostView(h.id, h.name, h.address, h.port, h.environment, h.nodeType, h.tagList(), h.packageList(),
                    h.serviceList(), h.source);
        }
    }

    private final Inventory inventory;
    private final CurrentUser user;

    HostResource(Inventory inventory, CurrentUser user) {
        this.inventory = inventory;
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
    @Operation(summary = "Add a host")
    public Response add(Inventory.HostInput input, @QueryParam("onBehalfOf") String onBehalfOf) {
        Host host = inventory.add(user.actor(onBehalfOf), orEmpty(input));
        return Response.created(URI.create("/api/hosts/" + host.id)).entity(HostView.of(host)).build();
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Change a host")
    public HostView update(@PathParam("id") long id, Inventory.HostInput input, @QueryParam("onBehalfOf") String onBehalfOf) {
        return HostView.of(inventory.update(user.actor(onBehalfOf), id, orEmpty(input)));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Remove a host")
    public Response remove(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        inventory.remove(user.actor(onBehalfOf), id);
        return Response.noContent().build();
    }

    @POST
    @Path("/import")
    @Consumes({ "text/csv", "application/yaml", "text/yaml", MediaType.TEXT_PLAIN })
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Import hosts from CSV or YAML", description = "CSV header: address,port,environment,node_type,packages,services (lists space-separated). Known address:port pairs are updated. All or nothing.")
    public Inventory.ImportResult importHosts(String body, @QueryParam("onBehalfOf") String onBehalfOf) {
        return inventory.importText(user.actor(onBehalfOf), body, "api");
    }

    private static Inventory.HostInput orEmpty(Inventory.HostInput input) {
        return input == null ? new Inventory.HostInput(null, null, null, null, null, null, null, null) : input;
    }
}
