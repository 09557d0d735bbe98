package io.github.pullthroughcache.registry;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One rule of a {@link RegistryReplication}: the repositories it replicates, and where to.
 *
 * <pre>
 * ReplicationRule.builder()
 *     .destinations(List.of(ReplicationDestination.region("us-east-1")))
 *     .repositoryFilters(List.of(ReplicationFilter.prefixMatch("ecr-public")))
 *     .build();
 * </pre>
 */
public final class ReplicationRule {

    /** Most repository filters ECR accepts in one rule. */
    public static final int MAX_FILTERS = 100;

    private final List<ReplicationDestination> destinations;
    private final List<ReplicationFilter> repositoryFilters;

    private ReplicationRule(Builder builder) {
        this.destinations = builder.destinations == null ? List.of() : builder.destinations;
        this.repositoryFilters = builder.repositoryFilters == null ? List.of() : builder.repositoryFilters;
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("ReplicationRule.destinations is required: at least one registry to "
                    + "replicate to, such as ReplicationDestination.region(\"us-east-1\")");
        }
        checkUnique("ReplicationRule.destinations", destinations);
        if (repositoryFilters.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("ReplicationRule.repositoryFilters has " + repositoryFilters.size()
                    + " filters, and ECR accepts at most " + MAX_FILTERS + " per rule: use shorter prefixes that "
                    + "cover several repositories, or split the rule");
        }
        checkUnique("ReplicationRule.repositoryFilters", repositoryFilters);
    }

    private static void checkUnique(String property, List<?> items) {
        Set<Object> seen = new HashSet<>();
        for (Object item : items) {
            if (!seen.add(item)) {
                throw new IllegalArgumentException(property + " names " + item + " twice: list each once");
            }
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the registries the rule replicates to */
    public List<ReplicationDestination> getDestinations() {
        return destinations;
    }

    /** @return the filters; empty when the rule replicates every repository */
    public List<ReplicationFilter> getRepositoryFilters() {
        return repositoryFilters;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplicationRule that && Set.copyOf(destinations).equals(Set.copyOf(that.destinations))
                && Set.copyOf(repositoryFilters).equals(Set.copyOf(that.repositoryFilters));
    }

    @Override
    public int hashCode() {
        return Set.copyOf(destinations).hashCode() * 31 + Set.copyOf(repositoryFilters).hashCode();
    }

    @Override
    public String toString() {
        return "ReplicationRule" + (repositoryFilters.isEmpty() ? "(every repository" : repositoryFilters
                .stream().map(ReplicationFilter::getFilter).toList().toString().replace('[', '(').replace("]", ""))
                + " -> " + destinations + ")";
    }

    /** Builds a {@link ReplicationRule}. */
    public static final class Builder {
        private List<ReplicationDestination> destinations;
        private List<ReplicationFilter> repositoryFilters;

        private Builder() {
        }

        /**
         * The registries to replicate to. Required: one or more.
         *
         * @param destinations the destinations
         * @return this builder
         */
        public Builder destinations(List<ReplicationDestination> destinations) {
            this.destinations = destinations == null ? null : List.copyOf(destinations);
            return this;
        }

        /**
         * The repositories to replicate: those whose name matches any filter.
         *
         * <p>Default: every repository of the registry.
         *
         * @param repositoryFilters up to {@value ReplicationRule#MAX_FILTERS} filters
         * @return this builder
         */
        public Builder repositoryFilters(List<ReplicationFilter> repositoryFilters) {
            this.repositoryFilters = repositoryFilters == null ? null : List.copyOf(repositoryFilters);
            return this;
        }

        /**
         * @return the rule
         * @throws IllegalArgumentException without a destination, with a repeated destination or filter, or with
         *     more than {@value ReplicationRule#MAX_FILTERS} filters
         */
        public ReplicationRule build() {
            return new ReplicationRule(this);
        }
    }
}
