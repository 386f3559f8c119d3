package dev.yardmaster.scaling;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders the user data a new instance boots with: its environment, its node type and its
 * environment's yum repository, then the image's first-boot command, which installs from that
 * repository, so an instance comes up at the version promoted there. Every value is checked
 * against a strict pattern before it goes into the script, and written inside single-quoted
 * here-documents, so nothing is ever interpreted by the shell.
 */
@ApplicationScoped
public class FirstBoot {

    static final Pattern URL = Pattern.compile("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$");
    static final Pattern COMMAND = Pattern.compile("^/[A-Za-z0-9._/-]+$");

    private final ScalingConfig config;

    FirstBoot(ScalingConfig config) {
        this.config = config;
    }

    /** The repository URL of an environment. */
    public String repoUrl(String environment) {
        checkEnvironment(environment);
        String url = config.repoUrlTemplate().replace("{environment}", environment);
        if (!URL.matcher(url).matches()) {
            throw new YardmasterException(500, "scaling-repo-url-invalid", "Bad repository URL",
                    "yardmaster.scaling.repo-url-template renders '" + url + "' for " + environment
                            + ", which is not a plain http(s) URL.", java.util.Map.of());
        }
        return url;
    }

    public String userData(String environment, String nodeType) {
        checkEnvironment(environment);
        if (nodeType == null || !Names.NODE_TYPE.matcher(nodeType).matches()) {
            throw YardmasterException.badRequest("node-type-invalid",
                    "A node type is lower case letters, digits and dashes, starting with a letter.");
        }
        String command = config.firstBootCommand();
        if (!COMMAND.matcher(command).matches()) {
            throw new YardmasterException(500, "scaling-first-boot-command-invalid", "Bad first-boot command",
                    "yardmaster.scaling.first-boot-command must be an absolute path of letters, digits, '.', '_', '-' and '/'.",
                    java.util.Map.of());
        }
        String repo = repoUrl(environment);
        return """
                #!/bin/sh
                # Yardmaster first boot: which environment, node type and yum repository this instance serves.
                set -eu
                mkdir -p /etc/yardmaster
                cat > /etc/yardmaster/node.env <<'YARDMASTER_EOF'
                YARDMASTER_ENVIRONMENT=%1$s
                YARDMASTER_NODE_TYPE=%2$s
                YARDMASTER_REPO_URL=%3$s
                YARDMASTER_EOF
                cat > /etc/yum.repos.d/yardmaster.repo <<'YARDMASTER_EOF'
                [yardmaster-%1$s]
                name=Yardmaster %1$s
                baseurl=%3$s
                enabled=1
                gpgcheck=%4$d
                metadata_expire=0
                YARDMASTER_EOF
                exec %5$s
                """.formatted(environment, nodeType, repo, config.repoGpgCheck() ? 1 : 0, command);
    }

    /** A short fingerprint of user data, for audit records and to compare versions at a glance. */
    public static String fingerprint(String userData) {
        if (userData == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(userData.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkEnvironment(String environment) {
        if (environment == null || !Names.ENVIRONMENT.matcher(environment).matches()) {
            throw YardmasterException.badRequest("environment-invalid", "An environment name is lower case letters, digits and dashes.");
        }
    }

    /** A launch template of the groups, and whether its default version carries the user data shown. */
    public record TemplateStatus(String templateId, String name, long defaultVersion, long latestVersion,
            String defaultFingerprint, boolean matches) {
    }

    /** The launch templates the groups of an environment and node type use, and whether their default carries the user data. */
    public static List<TemplateStatus> launchTemplates(String environment, String nodeType, String fingerprint) {
        return ScalingGroup.of(environment, nodeType).stream().map(g -> g.launchTemplateId)
                .filter(java.util.Objects::nonNull).distinct()
                .map(id -> ScalingLaunchTemplate.byTemplateId(id).map(t -> new TemplateStatus(t.templateId, t.name,
                        t.defaultVersion, t.latestVersion, FirstBoot.fingerprint(t.defaultUserData),
                        fingerprint.equals(FirstBoot.fingerprint(t.defaultUserData))))
                        .orElse(new TemplateStatus(id, null, 0, 0, null, false)))
                .toList();
    }
}
