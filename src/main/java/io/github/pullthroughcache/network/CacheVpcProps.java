package io.github.pullthroughcache.network;

import java.util.List;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of a {@link CacheVpc}. */
public final class CacheVpcProps {

    private final String cidr;
    private final int maxAzs;
    private final List<String> availabilityZones;
    private final boolean flowLogs;
    private final RetentionDays flowLogRetention;
    private final boolean publicSubnets;

    private CacheVpcProps(Builder builder) {
        this.cidr = builder.cidr;
        this.maxAzs = builder.maxAzs;
        this.availabilityZones = builder.availabilityZones;
        this.flowLogs = builder.flowLogs;
        this.flowLogRetention = builder.flowLogRetention;
        this.publicSubnets = builder.publicSubnets;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the VPC's CIDR block */
    public String getCidr() {
        return cidr;
    }

    /** @return how many availability zones the VPC spans at most */
    public int getMaxAzs() {
        return maxAzs;
    }

    /** @return the zones given, or {@code null} for the stack's first {@link #getMaxAzs()} */
    public List<String> getAvailabilityZones() {
        return availabilityZones;
    }

    /** @return whether rejected traffic is flow-logged */
    public boolean isFlowLogs() {
        return flowLogs;
    }

    /** @return how long flow log records are kept */
    public RetentionDays getFlowLogRetention() {
        return flowLogRetention;
    }

    /** Builds {@link CacheVpcProps}. */
    /** @return whether the VPC has public subnets and an internet gateway, for a temporary NAT gateway */
    public boolean isPublicSubnets() {
        return publicSubnets;
    }

    public static final class Builder {
        private String cidr = "10.0.0.0/16";
        private int maxAzs = 2;
        private List<String> availabilityZones;
        private boolean flowLogs = true;
        private RetentionDays flowLogRetention = RetentionDays.ONE_YEAR;
        private boolean publicSubnets = true;

        private Builder() {
        }

        /**
         * The VPC's IPv4 CIDR block, /16 to /22 with two zones: each zone takes a /24 public and a /20 isolated
         * subnet.
         *
         * <p>Default: {@code 10.0.0.0/16}.
         *
         * @param cidr the block
         * @return this builder
         */
        public Builder cidr(String cidr) {
            this.cidr = cidr;
            return this;
        }

        /**
         * How many availability zones the VPC spans at most. Each zone adds a subnet of each kind and an
         * interface endpoint network interface per service (billed per hour).
         *
         * <p>Default: 2.
         *
         * @param maxAzs the number of zones
         * @return this builder
         */
        public Builder maxAzs(int maxAzs) {
            this.maxAzs = maxAzs;
            return this;
        }

        /**
         * The availability zones the VPC spans, such as {@code List.of("eu-west-1a", "eu-west-1c")};
         * {@code maxAzs} is then not used. Each must be one of the stack's zones when those are known at synth.
         *
         * <p>Like any {@code Vpc}, the VPC reads its stack's zones ({@code Stack.getAvailabilityZones()}) even when
         * given its own: in a stack with an account and region that is a context lookup, which needs AWS
         * credentials at the first {@code cdk synth}, unless the stack overrides {@code getAvailabilityZones()}
         * (see {@link CacheVpc#zonesResolvedAtDeploy(int)}).
         *
         * <p>Default: the first {@code maxAzs} of the stack's zones.
         *
         * @param availabilityZones the zones
         * @return this builder
         */
        public Builder availabilityZones(List<String> availabilityZones) {
            this.availabilityZones = availabilityZones == null ? null : List.copyOf(availabilityZones);
            return this;
        }

        /**
         * Whether traffic the VPC rejects is logged to CloudWatch Logs.
         *
         * <p>Default: true.
         *
         * @param flowLogs whether to log
         * @return this builder
         */
        public Builder flowLogs(boolean flowLogs) {
            this.flowLogs = flowLogs;
            return this;
        }

        /**
         * How long flow log records are kept.
         *
         * <p>Default: {@link RetentionDays#ONE_YEAR}.
         *
         * @param flowLogRetention the retention
         * @return this builder
         */
        public Builder flowLogRetention(RetentionDays flowLogRetention) {
            this.flowLogRetention = flowLogRetention;
            return this;
        }

        /** @return the props */
        /**
         * Whether the VPC has public subnets ({@code Public}, /24, no public IPs on launch) and an internet gateway,
         * which a {@link TemporaryNatGateway} needs. {@code false} for a VPC that never has a NAT gateway, such as a
         * {@code PullThroughCacheConsumer}'s: isolated subnets only, no internet gateway and no route to
         * {@code 0.0.0.0/0}. The public subnets' address space stays reserved either way, so the isolated subnets
         * have the same CIDRs with and without them.
         *
         * <p>Default: {@code true}.
         *
         * @param publicSubnets whether to create them
         * @return this builder
         */
        public Builder publicSubnets(boolean publicSubnets) {
            this.publicSubnets = publicSubnets;
            return this;
        }

        public CacheVpcProps build() {
            return new CacheVpcProps(this);
        }
    }
}
