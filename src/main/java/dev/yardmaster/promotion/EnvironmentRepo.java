package dev.yardmaster.promotion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The effect of a promotion on the repo server: in {@code ENV/}, a relative symlink to the
 * build's RPM in {@code build/} replaces the package's previous one, {@code createrepo_c
 * --update} refreshes the metadata, and the metadata is read back to check it lists exactly
 * the promoted NEVRA. Everything happens under {@code flock ENV/.yardmaster.lock}, the same
 * lock a person running createrepo_c by hand takes, so replicas and people never interleave.
 * Any failure restores the previous symlinks and metadata.
 */
public class EnvironmentRepo implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EnvironmentRepo.class);
    /** File names that may appear in a command: what rpmbuild produces, nothing a shell would read. */
    static final Pattern RPM_FILE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._+~^-]*\\.rpm$");
    static final Pattern ENV_NAME = Pattern.compile("^[a-z][a-z0-9-]{0,31}$");
    static final String LOCK_FILE = ".yardmaster.lock";

    /** What the env dir held for the package before, and what it holds now. */
    public record Outcome(List<String> removed, String linked, String metadataNevra) {
    }

    private final RepoHost host;
    private final String root;
    private final Duration lockTimeout;
    private final Duration commandTimeout;

    public EnvironmentRepo(RepoHost host, String root, Duration lockTimeout, Duration commandTimeout) {
        this.host = host;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.lockTimeout = lockTimeout;
        this.commandTimeout = commandTimeout;
    }

    /** Holds the environment's repo lock until closed. */
    public RepoHost.Held lock(String env) {
        return host.lock(envDir(env) + "/" + LOCK_FILE, lockTimeout);
    }

    /** Closes the connection to the repo server, if one was opened. */
    @Override
    public void close() {
        host.close();
    }

    /**
     * Makes {@code file} the package's only RPM in the environment. Call with the lock held.
     *
     * @param ofPackage tells which existing links in the env dir belong to the same package
     */
    public Outcome promote(String env, String file, String expectedNevra, String packageName,
            Predicate<String> ofPackage) {
        requireFile(file);
        String dir = envDir(env);
        run("the build is not in build/", List.of("test", "-f", root + "/build/" + file));
        Map<String, String> links = linksIn(dir);
        List<String> previous = links.keySet().stream().filter(name -> !name.equals(file) && ofPackage.test(name)).toList();
        run("could not keep a copy of the current metadata",
                List.of("rm", "-rf", dir + "/.repodata.prev"));
        boolean hadMetadata = host.run(List.of("test", "-d", dir + "/repodata"), commandTimeout).ok();
        if (hadMetadata) {
            run("could not keep a copy of the current metadata",
                    List.of("cp", "-a", dir + "/repodata", dir + "/.repodata.prev"));
        }
        try {
            run("could not create the symlink", List.of("ln", "-sfn", "../build/" + file, dir + "/" + file));
            for (String old : previous) {
                run("could not remove the previous symlink " + old, List.of("rm", "-f", dir + "/" + old));
            }
            run("createrepo_c failed", List.of("createrepo_c", "--update", "--quiet", dir));
            String listed = verify(dir, packageName, expectedNevra);
            host.run(List.of("rm", "-rf", dir + "/.repodata.prev"), commandTimeout);
            return new Outcome(previous, file, listed);
        } catch (RepoException failure) {
            restore(dir, file, links, previous, hadMetadata);
            throw failure;
        }
    }

    /** Whether build/ still holds the file. */
    public boolean buildFileExists(String file) {
        requireFile(file);
        return host.run(List.of("test", "-f", root + "/build/" + file), commandTimeout).ok();
    }

    /** The symlinks of the env dir: file name → link target. */
    public Map<String, String> links(String env) {
        return linksIn(envDir(env));
    }

    private Map<String, String> linksIn(String dir) {
        return new LinkedHashMap<>(host.links(dir));
    }

    /** The NEVRAs the environment's metadata lists for a package. */
    public List<String> listed(String env, String packageName) {
        String dir = envDir(env);
        byte[] repomd = host.read(dir + "/repodata/repomd.xml");
        String href = RepoMetadata.primaryLocation(repomd);
        if (href.contains("..") || href.startsWith("/")) {
            throw new RepoException("repomd.xml points outside the repository: " + href);
        }
        byte[] primary = host.read(dir + "/" + href);
        List<String> nevras = new ArrayList<>();
        for (RepoMetadata.Entry entry : RepoMetadata.packages(primary, href)) {
            if (entry.name().equals(packageName)) {
                nevras.add(entry.nevra());
            }
        }
        return nevras;
    }

    private String verify(String dir, String packageName, String expectedNevra) {
        String env = dir.substring(dir.lastIndexOf('/') + 1);
        List<String> nevras = listed(env, packageName);
        if (nevras.size() != 1 || !nevras.get(0).equals(expectedNevra)) {
            throw new RepoException("after createrepo_c the metadata lists " + (nevras.isEmpty() ? "no " + packageName
                    : String.join(", ", nevras)) + " instead of exactly " + expectedNevra);
        }
        return nevras.get(0);
    }

    private void restore(String dir, String file, Map<String, String> before, List<String> previous, boolean hadMetadata) {
        LOG.warnf("Promotion of %s in %s failed; restoring the previous state", file, dir);
        if (!before.containsKey(file)) {
            host.run(List.of("rm", "-f", dir + "/" + file), commandTimeout);
        }
        for (String old : previous) {
            host.run(List.of("ln", "-sfn", before.get(old), dir + "/" + old), commandTimeout);
        }
        if (hadMetadata) {
            host.run(List.of("rm", "-rf", dir + "/repodata"), commandTimeout);
            host.run(List.of("mv", dir + "/.repodata.prev", dir + "/repodata"), commandTimeout);
        }
    }

    private RepoHost.Result run(String failure, List<String> argv) {
        RepoHost.Result result = host.run(argv, commandTimeout);
        if (!result.ok()) {
            throw new RepoException(failure + " on the " + host.describe() + (result.stderr().isBlank() ? ""
                    : ": " + result.stderr().lines().findFirst().orElse("")));
        }
        return result;
    }

    private String envDir(String env) {
        if (!ENV_NAME.matcher(env).matches()) {
            throw new IllegalArgumentException("not an environment name: " + env);
        }
        return root + "/" + env;
    }

    static void requireFile(String file) {
        if (!RPM_FILE.matcher(file).matches()) {
            throw new IllegalArgumentException("not a safe RPM file name: " + file);
        }
    }
}
