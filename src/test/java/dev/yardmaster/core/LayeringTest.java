package dev.yardmaster.core;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The house's layering, bottom first. Each feature package may use the ones listed before it and
 * none after it, so there is no cycle and a newcomer can read the code from the bottom up:
 * {@code core} (problems, names) knows nothing of ours; security and the audit log are used by
 * everything that acts; the web plumbing sits on those; then the features in the order the
 * product's story goes (catalog, environments, fleet, promotion, rollout, drift, scaling), with the
 * console's dashboard on top. Rules inside {@code rollout} are in {@code RolloutLayeringTest}.
 */
class LayeringTest {

    /** Bottom first; each layer may depend on those before it. */
    static final List<String> LAYERS = List.of("core", "security", "audit", "web", "observability", "ssh", "repo", "build",
            "environment", "fleet", "promotion", "rollout", "drift", "scaling", "notification", "console");

    static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("dev.yardmaster");

    @Test
    void coreImportsNothingOfOurs() {
        noClasses().that().resideInAPackage("dev.yardmaster.core..").should().dependOnClassesThat()
                .resideInAnyPackage(LAYERS.stream().filter(l -> !l.equals("core")).map(l -> "dev.yardmaster." + l + "..")
                        .toArray(String[]::new))
                .check(CLASSES);
    }

    @Test
    void noPackageImportsOneAboveIt() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) {
            layers = layers.layer(layer).definedBy("dev.yardmaster." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            String[] above = LAYERS.subList(i + 1, LAYERS.size()).toArray(String[]::new);
            layers = layers.whereLayer(LAYERS.get(i)).mayOnlyBeAccessedByLayers(above);
        }
        layers.check(CLASSES);
    }

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("dev.yardmaster.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void everyPackageHasAPlaceInTheLayers() {
        List<String> packages = CLASSES.stream().map(c -> c.getPackageName())
                .filter(p -> p.startsWith("dev.yardmaster."))
                .map(p -> p.substring("dev.yardmaster.".length()).split("\\.")[0]).distinct().sorted().toList();
        org.assertj.core.api.Assertions.assertThat(LAYERS).containsAll(packages);
    }

    @Test
    void resourcesAndPagesDoNotCallEachOther() {
        noClasses().that().haveSimpleNameEndingWith("Pages").should().dependOnClassesThat().haveSimpleNameEndingWith("Resource")
                .because("pages and resources share the feature's service, never each other").check(CLASSES);
        noClasses().that().haveSimpleNameEndingWith("Resource").should().dependOnClassesThat().haveSimpleNameEndingWith("Pages")
                .because("pages and resources share the feature's service, never each other").check(CLASSES);
    }
}
