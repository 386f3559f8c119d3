import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.RpmVersion;
import org.eclipse.packager.rpm.build.BuilderContext;
import org.eclipse.packager.rpm.build.BuilderOptions;
import org.eclipse.packager.rpm.build.RpmBuilder;
import org.eclipse.packager.rpm.build.RpmFileNameProvider;

/**
 * Writes COUNT real RPMs (noarch, one small file each, a changelog line in the catalog's
 * "ab/cd: message" form) with Eclipse packager-rpm, the library the catalog reads headers with:
 * PACKAGES packages, COUNT / PACKAGES builds each (1.1.0-1, 1.2.0-1, ...), the shape of years of
 * CI builds. rpmbuild costs 0.07 s per RPM on 2 cores (100,000 in two hours); this takes about a
 * millisecond. Files that exist are kept, so a second run only adds what is missing.
 *
 * <p>Run with Java's source launcher on the packaged app's libraries (bench/make-rpms.sh does):
 * {@code java -cp 'target/quarkus-app/lib/main/*' bench/MakeRpms.java DIR COUNT [PACKAGES [NAME-PREFIX]]}
 */
public class MakeRpms {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int packages = args.length > 2 ? Integer.parseInt(args[2]) : Math.max(1, Math.min(1000, count / 100));
        String prefix = args.length > 3 ? args[3] : "bench";
        Files.createDirectories(dir);
        AtomicInteger made = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < count; i++) {
            int n = i;
            pool.submit(() -> {
                try {
                    if (make(dir, packages == 1 && args.length > 3 ? prefix : prefix + (n % packages), n / packages + 1)) {
                        made.incrementAndGet();
                    }
                } catch (IOException | RuntimeException | Error e) {
                    e.printStackTrace();
                    System.exit(1);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.DAYS);
        System.out.println(dir + ": made " + made.get() + " RPMs (" + packages + " packages)");
    }

    /** One build; false when its file already exists. */
    static boolean make(Path dir, String name, int build) throws IOException {
        String version = "1." + build + ".0";
        Path target = dir.resolve(name + "-" + version + "-1.noarch.rpm");
        if (Files.exists(target)) {
            return false;
        }
        BuilderOptions options = new BuilderOptions();
        options.setFileNameProvider(RpmFileNameProvider.LEGACY_FILENAME_PROVIDER);
        // Written beside, then moved in: a file appears in build/ whole, as CI's copy would.
        Path partial = dir.resolve(".partial");
        Files.createDirectories(partial);
        try (RpmBuilder rpm = new RpmBuilder(name, new RpmVersion(version, "1"), "noarch", partial, options)) {
            RpmBuilder.PackageInformation info = rpm.getInformation();
            info.setSummary("benchmark package " + name);
            info.setDescription("A package of bench/catalog.sh.");
            info.setLicense("Apache-2.0");
            info.setBuildHost("ci.example.com");
            info.setSourcePackage(name + "-" + version + "-1.src.rpm");
            long time = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() + build * 3600L;
            String reviewer = build % 10 == 0 ? "ab" : "cd";
            rpm.setHeaderCustomizer(header -> {
                header.putInt(RpmTag.CHANGELOG_TIMESTAMP, (int) time);
                header.putStringArray(RpmTag.CHANGELOG_AUTHOR, "CI <ci@example.com> - " + version + "-1");
                header.putStringArray(RpmTag.CHANGELOG_TEXT, "- ab/" + reviewer + ": benchmark build " + build + " of " + name);
            });
            BuilderContext files = rpm.newContext();
            files.addFile("/opt/" + name + "/VERSION", (version + "-1\n").getBytes(StandardCharsets.UTF_8));
            rpm.build();
            Files.move(rpm.getTargetFile(), target);
        }
        return true;
    }
}
