package io.github.pullthroughcache.network;

import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * The settings of a {@link TemporaryNatGateway} besides its VPC: those of the NAT gateway a {@code PullThroughCache}
 * creates ({@code PullThroughCacheProps.temporaryNatOptions}), where the cache brings the VPC;
 * {@link TemporaryNatGatewayProps} adds it.
 */
public class TemporaryNatGatewayOptions {

    private final SubnetSelection publicSubnet;
    private final SubnetSelection privateSubnets;
    private final boolean flowLogs;
    private final RetentionDays flowLogRetention;

    TemporaryNatGatewayOptions(Builder<?> builder) {
        this.publicSubnet = builder.publicSubnet;
        this.privateSubnets = builder.privateSubnets;
        this.flowLogs = builder.flowLogs;
        this.flowLogRetention = builder.flowLogRetention;
    }

    /** @return where the NAT gateway goes, or {@code null} for the default */
    public SubnetSelection getPublicSubnet() {
        return publicSubnet;
    }

    /** @return the subnets that get the default route, or {@code null} for the default */
    public SubnetSelection getPrivateSubnets() {
        return privateSubnets;
    }

    /** @return whether flow logs and the saved query are created */
    public boolean isFlowLogs() {
        return flowLogs;
    }

    /** @return the flow logs' retention, or {@code null} for the default */
    public RetentionDays getFlowLogRetention() {
        return flowLogRetention;
    }

    /** @return a new builder */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    /**
     * Builds {@link TemporaryNatGatewayOptions}, and is the base of {@link TemporaryNatGatewayProps.Builder}.
     *
     * @param <B> the concrete builder, which the setters return
     */
    public static class Builder<B extends Builder<B>> {
        private SubnetSelection publicSubnet;
        private SubnetSelection privateSubnets;
        private boolean flowLogs;
        private RetentionDays flowLogRetention;

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Copies every option.
         *
         * @param options the options to copy
         * @return this builder
         */
        public B options(TemporaryNatGatewayOptions options) {
            this.publicSubnet = options.getPublicSubnet();
            this.privateSubnets = options.getPrivateSubnets();
            this.flowLogs = options.isFlowLogs();
            this.flowLogRetention = options.getFlowLogRetention();
            return self();
        }

        /**
         * The public subnet of the NAT gateway: the first subnet of the selection.
         *
         * <p>Default: the VPC's first public subnet.
         *
         * @param publicSubnet the selection
         * @return this builder
         */
        public B publicSubnet(SubnetSelection publicSubnet) {
            this.publicSubnet = publicSubnet;
            return self();
        }

        /**
         * The subnets whose route tables get a {@code 0.0.0.0/0} route to the NAT gateway. Their route tables
         * must have no default route yet.
         *
         * <p>Default: the VPC's isolated subnets, all of them.
         *
         * @param privateSubnets the selection
         * @return this builder
         */
        public B privateSubnets(SubnetSelection privateSubnets) {
            this.privateSubnets = privateSubnets;
            return self();
        }

        /**
         * Whether to log the traffic of the NAT gateway's subnet to CloudWatch Logs, with a saved Logs Insights
         * query that sums the bytes sent to each destination outside the VPC: what still needs the NAT gateway.
         *
         * <p>Default: false.
         *
         * @param flowLogs whether to log
         * @return this builder
         */
        public B flowLogs(boolean flowLogs) {
            this.flowLogs = flowLogs;
            return self();
        }

        /**
         * How long flow log records are kept.
         *
         * <p>Default: {@link RetentionDays#ONE_YEAR}.
         *
         * @param flowLogRetention the retention
         * @return this builder
         */
        public B flowLogRetention(RetentionDays flowLogRetention) {
            this.flowLogRetention = flowLogRetention;
            return self();
        }

        /** @return the options */
        public TemporaryNatGatewayOptions build() {
            return new TemporaryNatGatewayOptions(this);
        }
    }
}
