package io.github.pullthroughcache.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.anyElementThat;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noCodeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The packages of the library are layers, each importing only the ones below it, with no cycle and no exception:
 * the deployable stack ({@code .stack}), the cache and its consumer ({@code io.github.pullthroughcache}), Kubernetes
 * nodes' registry mirrors ({@code .kubernetes}), the warmer and the copier ({@code .images}), eviction, removal and
 * credential health ({@code .operations}), metrics and dashboard rows ({@code .monitoring}), rules, copied registries
 * and the model of what a cache serves ({@code .rule}), registry-wide settings ({@code .registry}), the network
 * ({@code .network}), and {@code .internal} under all of them. What the
 * public packages offer never takes or returns an internal type.
 */
class LayersTest {

    private static final String ROOT = "io.github.pullthroughcache";
    /** The library's classes, from where they were compiled to: a package found by name is looked for in every jar. */
    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> location.contains("/" + ROOT.replace('.', '/') + "/"))
            .importLocations(Set.of(Location.of(io.github.pullthroughcache.PullThroughCache.class.getProtectionDomain()
                    .getCodeSource().getLocation())));

    @Test
    void eachPackageImportsOnlyThePackagesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Stack").definedBy(ROOT + ".stack..")
                .layer("Cache").definedBy(ROOT)
                .layer("Kubernetes").definedBy(ROOT + ".kubernetes..")
                .layer("Images").definedBy(ROOT + ".images..")
                .layer("Operations").definedBy(ROOT + ".operations..")
                .layer("Monitoring").definedBy(ROOT + ".monitoring..")
                .layer("Rule").definedBy(ROOT + ".rule..")
                .layer("Registry").definedBy(ROOT + ".registry..")
                .layer("Network").definedBy(ROOT + ".network..")
                .layer("Internal").definedBy(ROOT + ".internal..")
                .whereLayer("Stack").mayNotBeAccessedByAnyLayer()
                .whereLayer("Cache").mayOnlyBeAccessedByLayers("Stack")
                .whereLayer("Kubernetes").mayOnlyBeAccessedByLayers("Stack", "Cache")
                .whereLayer("Images").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes")
                .whereLayer("Operations").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images")
                .whereLayer("Monitoring").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images", "Operations")
                .whereLayer("Rule").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images", "Operations", "Monitoring")
                .whereLayer("Registry").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images", "Operations", "Monitoring", "Rule")
                .whereLayer("Network").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images", "Operations", "Monitoring", "Rule", "Registry")
                .whereLayer("Internal").mayOnlyBeAccessedByLayers("Stack", "Cache", "Kubernetes", "Images", "Operations", "Monitoring", "Rule", "Registry", "Network")
                .check(LIBRARY);
    }

    @Test
    void noPackageCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(LIBRARY);
    }

    @Test
    void internalImportsNoPublicPackage() {
        noClasses().that().resideInAPackage(ROOT + ".internal..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT, ROOT + ".stack..", ROOT + ".kubernetes..",
                        ROOT + ".images..", ROOT + ".operations..", ROOT + ".monitoring..", ROOT + ".rule..",
                        ROOT + ".registry..", ROOT + ".network..")
                .check(LIBRARY);
    }

    @Test
    void thePublicApiNeverTakesOrReturnsAnInternalType() {
        noMethods().that().areDeclaredInClassesThat().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage(ROOT + ".internal..")
                .and().doNotHaveModifier(JavaModifier.PRIVATE)
                .should().haveRawReturnType(resideInAPackage(ROOT + ".internal.."))
                .check(LIBRARY);
        noCodeUnits().that().areDeclaredInClassesThat().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage(ROOT + ".internal..")
                .and().doNotHaveModifier(JavaModifier.PRIVATE)
                .should().haveRawParameterTypes(anyElementThat(resideInAPackage(ROOT + ".internal..")))
                .check(LIBRARY);
        noClasses().that().arePublic().and().resideOutsideOfPackage(ROOT + ".internal..")
                .should().beAssignableTo(resideInAPackage(ROOT + ".internal.."))
                .check(LIBRARY);
    }
}
