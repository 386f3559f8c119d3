package dev.yardmaster.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.core.YardmasterException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Ansible INI and YAML readers and the host ranges, without Quarkus: real-world inventories and broken ones. */
class AnsibleInventoryTest {

    static final Set<String> ENVIRONMENTS = Set.of("review", "staging", "prod");

    record Mapping(Map<String, String> environmentGroups, Map<String, String> nodeTypeGroups, boolean groupsNamedLikeEnvironments)
            implements InventoryConfig.Ansible {
    }

    static final Mapping DEFAULTS = new Mapping(Map.of(), Map.of(), true);

    /** A team's inventory as it is: ranges, :children, group vars at two levels, host vars, host:port, comments. */
    static final String TEAM_INI = """
            # Managed by ops; yardmaster reads it as is.
            bastion.example.com

            [webservers]
            web-[01:04].example.com
            web-05.example.com:2222 ansible_host=10.0.5.5 yardmaster_packages="['flingerator', 'gnip-worker']"

            [workers]
            worker-[a:c].example.com  # trailing comment

            [prod:children]
            webservers
            workers

            [webservers:vars]
            yardmaster_node_type=web
            yardmaster_packages=flingerator
            yardmaster_services = flingerator

            [workers:vars]
            yardmaster_node_type=worker
            yardmaster_packages=gnip-worker

            [all:vars]
            ansible_user=deploy
            """;

    static List<ParsedHost> ini(String text, InventoryConfig.Ansible mapping) {
        return AnsibleIni.parse(text).resolve(mapping, ENVIRONMENTS);
    }

    static ParsedHost named(List<ParsedHost> hosts, String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aTeamsIniInventoryBecomesHostsWithEnvironmentNodeTypeAndPackages() {
        List<ParsedHost> hosts = ini(TEAM_INI, DEFAULTS);
        assertThat(hosts).extracting(ParsedHost::name).containsExactly("bastion.example.com", "web-01.example.com",
                "web-02.example.com", "web-03.example.com", "web-04.example.com", "web-05.example.com",
                "worker-a.example.com", "worker-b.example.com", "worker-c.example.com");
        ParsedHost web1 = named(hosts, "web-01.example.com");
        assertThat(web1.refusal()).isNull();
        assertThat(web1.line()).isEqualTo(5);
        assertThat(web1.input().environment()).isEqualTo("prod");
        assertThat(web1.input().nodeType()).isEqualTo("web");
        assertThat(web1.input().address()).isEqualTo("web-01.example.com");
        assertThat(web1.input().port()).isNull();
        assertThat(web1.input().packages()).containsExactly("flingerator");
        assertThat(web1.input().services()).containsExactly("flingerator");
        ParsedHost web5 = named(hosts, "web-05.example.com");
        assertThat(web5.input().address()).isEqualTo("10.0.5.5");
        assertThat(web5.input().port()).isEqualTo(2222);
        assertThat(web5.input().packages()).as("host vars win over group vars").containsExactly("flingerator", "gnip-worker");
        ParsedHost worker = named(hosts, "worker-b.example.com");
        assertThat(worker.input().nodeType()).isEqualTo("worker");
        assertThat(worker.input().packages()).containsExactly("gnip-worker");
        assertThat(worker.line()).isEqualTo(9);
        // The ungrouped bastion is in no environment: refused with the reason, not a broken file.
        ParsedHost bastion = named(hosts, "bastion.example.com");
        assertThat(bastion.refusal()).startsWith("no environment");
        assertThat(bastion.line()).isEqualTo(2);
    }

    @Test
    void innerGroupVarsWinOverOuterOnesAndAnExplicitEnvironmentWinsOverGroups() {
        String text = """
                [app]
                app-1 yardmaster_environment=staging
                app-2

                [prod:children]
                app

                [prod:vars]
                yardmaster_node_type=outer
                yardmaster_packages=flingerator

                [app:vars]
                yardmaster_node_type=web
                """;
        List<ParsedHost> hosts = ini(text, DEFAULTS);
        assertThat(named(hosts, "app-1").input().environment()).isEqualTo("staging");
        assertThat(named(hosts, "app-2").input().environment()).isEqualTo("prod");
        assertThat(named(hosts, "app-2").input().nodeType()).isEqualTo("web");
        assertThat(named(hosts, "app-2").input().packages()).containsExactly("flingerator");
    }

    @Test
    void theMappingSettingTurnsATeamsGroupsIntoEnvironmentsAndNodeTypes() {
        String text = """
                [production]
                fe-[1:3]

                [frontends:children]
                production

                [qa]
                fe-qa-1
                """;
        Mapping mapping = new Mapping(Map.of("production", "prod", "qa", "review"), Map.of("frontends", "web"), false);
        List<ParsedHost> hosts = ini(text, mapping);
        assertThat(named(hosts, "fe-2").input().environment()).isEqualTo("prod");
        assertThat(named(hosts, "fe-2").input().nodeType()).isEqualTo("web");
        assertThat(named(hosts, "fe-qa-1").input().environment()).isEqualTo("review");
        assertThat(named(hosts, "fe-qa-1").refusal()).startsWith("no node type");
    }

    @Test
    void aHostInTwoEnvironmentsIsRefusedWithBoth() {
        String text = """
                [staging]
                shared-1 yardmaster_node_type=web
                [prod]
                shared-1
                """;
        ParsedHost host = ini(text, DEFAULTS).get(0);
        assertThat(host.refusal()).contains("several environments (prod, staging)");
    }

    @Test
    void theYamlFormWithAllChildrenHostsAndVarsReadsLikeTheIniForm() {
        String text = """
                all:
                  vars:
                    ansible_user: deploy
                  children:
                    prod:
                      vars:
                        yardmaster_packages: [flingerator]
                      children:
                        webservers:
                          hosts:
                            web-[01:03].example.com:
                            web-04.example.com:
                              ansible_host: 10.0.4.4
                              ansible_port: 2222
                              yardmaster_services:
                                - flingerator
                                - nginx
                          vars:
                            yardmaster_node_type: web
                    review:
                      hosts:
                        review-1:
                          yardmaster_node_type: worker
                          yardmaster_packages: gnip-worker, flingerator
                """;
        List<ParsedHost> hosts = AnsibleYaml.parse(text).resolve(DEFAULTS, ENVIRONMENTS);
        assertThat(hosts).extracting(ParsedHost::name).containsExactly("web-01.example.com", "web-02.example.com",
                "web-03.example.com", "web-04.example.com", "review-1");
        ParsedHost web4 = named(hosts, "web-04.example.com");
        assertThat(web4.line()).isEqualTo(12);
        assertThat(web4.input().address()).isEqualTo("10.0.4.4");
        assertThat(web4.input().port()).isEqualTo(2222);
        assertThat(web4.input().environment()).isEqualTo("prod");
        assertThat(web4.input().nodeType()).isEqualTo("web");
        assertThat(web4.input().packages()).containsExactly("flingerator");
        assertThat(web4.input().services()).containsExactly("flingerator", "nginx");
        assertThat(named(hosts, "review-1").input().packages()).containsExactly("gnip-worker", "flingerator");
        assertThat(named(hosts, "web-02.example.com").line()).isEqualTo(11);
    }

    @Test
    void rangesExpandLikeAnsibles() {
        assertThat(HostRanges.expand("web-[01:03].example.com")).containsExactly("web-01.example.com", "web-02.example.com",
                "web-03.example.com");
        assertThat(HostRanges.expand("db-[a:c]")).containsExactly("db-a", "db-b", "db-c");
        assertThat(HostRanges.expand("n[0:10:5]")).containsExactly("n0", "n5", "n10");
        assertThat(HostRanges.expand("r[1:2]-[a:b]")).containsExactly("r1-a", "r1-b", "r2-a", "r2-b");
        assertThat(HostRanges.expand("plain.example.com")).containsExactly("plain.example.com");
        assertThat(HostRanges.expand("web-[8:11]")).containsExactly("web-8", "web-9", "web-10", "web-11");
    }

    static void refusedAt(String text, int line, String message) {
        assertThatThrownBy(() -> ini(text, DEFAULTS)).isInstanceOfSatisfying(YardmasterException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).startsWith("Line " + line + ": ").contains(message);
            assertThat(e.problem().extensions()).containsEntry("line", line);
        });
    }

    @Test
    void malformedIniFilesAreRefusedNamingTheLine() {
        refusedAt("[web\nweb-1\n", 1, "is not a section header");
        refusedAt("[web]\nweb-1\n[web:hostvars]\n", 3, "a section is [group], [group:vars] or [group:children]");
        refusedAt("[web:vars]\nyardmaster_node_type\n", 2, "is not a variable (name=value)");
        refusedAt("[web]\nweb-[20:01]\n", 2, "runs backwards");
        refusedAt("[web]\nweb-[1:x]\n", 2, "is not a range of numbers");
        refusedAt("[web]\nweb-[1:200000]\n", 2, "more than 10000 hosts");
        refusedAt("[web]\nweb-1 yardmaster_services=\"flingerator\n", 2, "is not closed");
        refusedAt("[web]\nweb-1 ansible_port\n", 2, "is not a variable (name=value)");
        refusedAt("[a:children]\nb\n[b:children]\na\n", 4, "are children of each other");
        refusedAt("[web:children]\nnot a group\n", 2, "is not a group name");
    }

    @Test
    void malformedYamlFilesAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> AnsibleYaml.parse("all:\n  hosts:\n    web-1: [\n")).isInstanceOfSatisfying(
                YardmasterException.class, e -> assertThat(e.getMessage()).startsWith("Line 4: not readable as YAML"));
        assertThatThrownBy(() -> AnsibleYaml.parse("all:\n  hosts:\n    - web-1\n")).isInstanceOfSatisfying(
                YardmasterException.class, e -> assertThat(e.getMessage()).isEqualTo("Line 3: hosts of all must be a mapping (key: value)."));
        assertThatThrownBy(() -> AnsibleYaml.parse("all:\n  host:\n    web-1:\n")).isInstanceOfSatisfying(
                YardmasterException.class, e -> assertThat(e.getMessage()).contains("Line 3").contains("a group has hosts, vars and children"));
        assertThatThrownBy(() -> YamlInventory.parse("hosts:\n  - address: 10.0.0.1\n    enviroment: prod\n")).isInstanceOfSatisfying(
                YardmasterException.class, e -> assertThat(e.getMessage()).startsWith("Line 3: unknown field 'enviroment'"));
    }

    @Test
    void csvRowsKnowTheirLinesPastCommentsAndBlankLines() {
        List<ParsedHost> hosts = CsvInventory.parse("""
                address,port,environment,node_type,packages,services
                # staging first
                10.0.0.1,22,staging,web,flingerator,flingerator

                10.0.0.2,x,prod,web,flingerator,flingerator
                """);
        assertThat(hosts).extracting(ParsedHost::line).containsExactly(3, 5);
        assertThat(hosts.get(1).refusal()).isEqualTo("port 'x' is not a number.");
    }

    @Test
    void theFormatIsGuessedWhenNotNamed() {
        assertThat(InventoryFormat.detect(TEAM_INI)).isEqualTo(InventoryFormat.ANSIBLE_INI);
        assertThat(InventoryFormat.detect("all:\n  hosts:\n    a:\n")).isEqualTo(InventoryFormat.ANSIBLE_YAML);
        assertThat(InventoryFormat.detect("hosts:\n  - address: a\n")).isEqualTo(InventoryFormat.YAML);
        assertThat(InventoryFormat.detect("address,port,environment,node_type\n")).isEqualTo(InventoryFormat.CSV);
    }
}
