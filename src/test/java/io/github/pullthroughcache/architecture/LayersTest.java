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
import org.junit.jupiter.api.Test;

/**
 * The packages of the library are layers, each importing only the ones below it, with no cycle and no exception:
 * the L3 and the deployable stack ({@code io.github.pullthroughcache}), Kubernetes nodes' registry mirrors
 * ({@code .kubernetes}), rules ({@code .rule}), registry-wide
 * settings ({@code .registry}), the network ({@code .network}), and {@code .internal} under all of them. What the
 * public packages offer never takes or returns an internal type.
 */
class LayersTest {

    private static final String ROOT = "io.github.pullthroughcache";
    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void eachPackageImportsOnlyThePackagesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Cache").definedBy(ROOT)
                .layer("Kubernetes").definedBy(ROOT + ".kubernetes..")
                .layer("Rule").definedBy(ROOT + ".rule..")
                .layer("Registry").definedBy(ROOT + ".registry..")
                .layer("Network").definedBy(ROOT + ".network..")
                .layer("Internal").definedBy(ROOT + ".internal..")
                .whereLayer("Cache").mayNotBeAccessedByAnyLayer()
                .whereLayer("Kubernetes").mayOnlyBeAccessedByLayers("Cache")
                .whereLayer("Rule").mayOnlyBeAccessedByLayers("Cache", "Kubernetes")
                .whereLayer("Registry").mayOnlyBeAccessedByLayers("Cache", "Kubernetes", "Rule")
                .whereLayer("Network").mayOnlyBeAccessedByLayers("Cache", "Kubernetes", "Rule", "Registry")
                .whereLayer("Internal").mayOnlyBeAccessedByLayers("Cache", "Kubernetes", "Rule", "Registry", "Network")
                .check(LIBRARY);
    }

    @Test
    void noPackageCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(LIBRARY);
    }

    @Test
    void internalImportsNoPublicPackage() {
        noClasses().that().resideInAPackage(ROOT + ".internal..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT, ROOT + ".kubernetes..", ROOT + ".rule..",
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
