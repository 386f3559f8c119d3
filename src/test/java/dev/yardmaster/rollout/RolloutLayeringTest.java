package dev.yardmaster.rollout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The layering of the rollout feature, as it holds after issue 17 (the lead adds the global
 * {@code core} rules): the domain and its services at the top of the package, the API, the pages
 * and the runner beside each other on top of it, the store underneath.
 */
class RolloutLayeringTest {

    /** The application's classes (not the tests'), imported once: a plain JUnit test, so surefire's -Dtest finds it. */
    static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("dev.yardmaster");

    static final ArchRule resourcesDoNotCallPages = noClasses().that().resideInAPackage("dev.yardmaster.rollout.api..")
            .should().dependOnClassesThat().resideInAPackage("dev.yardmaster.rollout.web..")
            .because("the API and the pages both call RollQueries and Rolls, never each other");

    static final ArchRule pagesDoNotCallResources = noClasses().that().resideInAPackage("dev.yardmaster.rollout.web..")
            .should().dependOnClassesThat().resideInAPackage("dev.yardmaster.rollout.api..")
            .because("the API and the pages both call RollQueries and Rolls, never each other");

    static final ArchRule theStoreKnowsNoCaller = noClasses().that().resideInAPackage("dev.yardmaster.rollout.store..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.yardmaster.rollout.api..", "dev.yardmaster.rollout.web..",
                    "dev.yardmaster.rollout.runner..")
            .because("the store owns statements and payloads; it is called, it calls nothing of rollout's above it");

    static final ArchRule theRunnerServesNoRequests = noClasses().that().resideInAPackage("dev.yardmaster.rollout.runner..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.yardmaster.rollout.api..", "dev.yardmaster.rollout.web..");

    static final ArchRule theDomainDoesNotReachUp = noClasses().that().resideInAPackage("dev.yardmaster.rollout")
            .should().dependOnClassesThat().resideInAnyPackage("dev.yardmaster.rollout.api..", "dev.yardmaster.rollout.web..",
                    "dev.yardmaster.rollout.runner..");

    static final ArchRule requestsDoNotWriteSql = noClasses().that().resideInAnyPackage("dev.yardmaster.rollout.api..",
                    "dev.yardmaster.rollout.web..")
            .should().dependOnClassesThat().resideInAPackage("dev.yardmaster.rollout.store..")
            .because("resources and pages go through Rolls, RollQueries and RollStream");

    static final ArchRule onlyTransitionsChangeARollsStatus = noClasses().that().doNotHaveFullyQualifiedName(
                    RollTransitions.class.getName()).and().doNotHaveFullyQualifiedName(Roll.class.getName())
            .should().setField(Roll.class, "status")
            .because("RollTransitions (lock, check, set, audit, announce) is the only code that changes a roll's status");

    @Test
    void resourcesDoNotCallPages() {
        resourcesDoNotCallPages.check(CLASSES);
    }

    @Test
    void pagesDoNotCallResources() {
        pagesDoNotCallResources.check(CLASSES);
    }

    @Test
    void theStoreKnowsNoCaller() {
        theStoreKnowsNoCaller.check(CLASSES);
    }

    @Test
    void theRunnerServesNoRequests() {
        theRunnerServesNoRequests.check(CLASSES);
    }

    @Test
    void theDomainDoesNotReachUp() {
        theDomainDoesNotReachUp.check(CLASSES);
    }

    @Test
    void requestsDoNotWriteSql() {
        requestsDoNotWriteSql.check(CLASSES);
    }

    @Test
    void onlyTransitionsChangeARollsStatus() {
        onlyTransitionsChangeARollsStatus.check(CLASSES);
    }
}
