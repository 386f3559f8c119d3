package dev.yardmaster.promotion;

import dev.yardmaster.core.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The effect of a promotion on the repo server: in {@code ENV/}, a relative symlink to the
 * build's RPM in {@code build/} replaces the package's previous one, {@code createrepo_c
 * --update} refreshes the metadata, and the metadata is read back to check it lists exactly
 * the promoted NEVRA. Everything happens under {@code flock ENV/.yardmaster.lock}, the same
 * lock a person running createrepo_c by hand takes, so replicas and people never interleave.
 * Any failure restores the previous symlinks and metadata. With {@code older-builds=keep} the
 * links to older builds of the package stay and the metadata must list them next to the
 * promoted one. {@link #snapshot} reads what a directory serves, for {@link RepoAdoption}.
 */
public class EnvironmentRepo implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EnvironmentRepo.class);
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
        return lock(env, lockTimeout);
    }

    /** Holds the environment's repo lock until closed, waiting at most {@code wait} for it. */
    public RepoHost.Held lock(String env, Duration wait) {
        return host.lock(envDir(env) + "/" + LOCK_FILE, wait);
    }

    /**
     * One RPM an environment directory serves: {@code target} is the build/ file a link points
     * to, or the resolved path of a link that points elsewhere, or null for a plain file.
     */
    public record Served(String name, boolean link, String target, boolean intoBuild) {
        /** The build/ file name this entry serves: the link's target in build/, or a plain file's own name. */
        public String buildFile() {
            return link ? (intoBuild ? target : null) : name;
        }
    }

    /** What an environment directory serves now: its RPMs by name and the sha256 of repodata/repomd.xml (null: none). */
    public record Snapshot(Map<String, Served> files, String repomdSha256) {
    }

    /** Whether the repo server has a directory for the environment. */
    public boolean hasEnvironment(String env) {
        return host.run(List.of("test", "-d", envDir(env)), commandTimeout).ok();
    }

    /**
     * Reads what the environment directory serves. Links are resolved by their text, relative
     * to the directory ({@code ../build/X.rpm}) or absolute under the root; a link elsewhere
     * keeps its text as target and serves no build the catalog knows.
     */
    public Snapshot snapshot(String env) {
        String dir = envDir(env);
        Map<String, Served> files = new java.util.TreeMap<>();
        for (RepoHost.RpmEntry entry : host.rpms(dir).values()) {
            if (!entry.isLink()) {
                files.put(entry.name(), new Served(entry.name(), false, null, false));
                continue;
            }
            String resolved = resolve(dir, entry.linkText());
            String build = root + "/build/";
            boolean intoBuild = resolved.startsWith(build) && resolved.indexOf('/', build.length()) < 0
                    && resolved.length() > build.length();
            // Into build/: the bare file name; elsewhere: the resolved path (it always has a slash).
            files.put(entry.name(), new Served(entry.name(), true,
                    intoBuild ? resolved.substring(build.length()) : resolved, intoBuild));
        }
        String sha = host.readIfPresent(dir + "/repodata/repomd.xml").map(EnvironmentRepo::sha256).orElse(null);
        return new Snapshot(files, sha);
    }

    private static String resolve(String dir, String linkText) {
        java.nio.file.Path base = java.nio.file.Path.of(dir);
        return base.resolve(linkText).normalize().toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        return promote(env, file, expectedNevra, packageName, ofPackage, Map.of());
    }

    /**
     * Links {@code file} into the environment and removes the links {@code remove} names; the
     * links in {@code kept} (file name → NEVRA, older builds of the package that stay) are
     * expected in the metadata next to the promoted build. Call with the lock held.
     */
    public Outcome promote(String env, String file, String expectedNevra, String packageName,
            Predicate<String> remove, Map<String, String> kept) {
        requireFile(file);
        String dir = envDir(env);
        run("the build is not in build/", List.of("test", "-f", root + "/build/" + file));
        Map<String, String> links = linksIn(dir);
        List<String> previous = links.keySet().stream().filter(name -> !name.equals(file) && remove.test(name)).toList();
        java.util.Set<String> expected = new java.util.TreeSet<>();
        expected.add(expectedNevra);
        links.keySet().stream().filter(name -> !name.equals(file) && !previous.contains(name) && kept.containsKey(name))
                .forEach(name -> expected.add(kept.get(name)));
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
            String listed = verify(dir, packageName, expectedNevra, expected);
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

    private String verify(String dir, String packageName, String expectedNevra, java.util.Set<String> expected) {
        String env = dir.substring(dir.lastIndexOf('/') + 1);
        List<String> nevras = listed(env, packageName);
        if (nevras.size() != expected.size() || !expected.containsAll(nevras)) {
            throw new RepoException("after createrepo_c the metadata lists " + (nevras.isEmpty() ? "no " + packageName
                    : String.join(", ", nevras)) + " instead of exactly " + String.join(", ", expected));
        }
        return expectedNevra;
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
        if (!Names.ENVIRONMENT.matcher(env).matches()) {
            throw new IllegalArgumentException("not an environment name: " + env);
        }
        return root + "/" + env;
    }

    static void requireFile(String file) {
        if (!Names.RPM_FILE.matcher(file).matches()) {
            throw new IllegalArgumentException("not a safe RPM file name: " + file);
        }
    }
}
