package io.github.pullthroughcache.network;

import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of a {@link TemporaryNatGateway}. */
public final class TemporaryNatGatewayProps {

    private final IVpc vpc;
    private final SubnetSelection publicSubnet;
    private final SubnetSelection privateSubnets;
    private final boolean flowLogs;
    private final RetentionDays flowLogRetention;

    private TemporaryNatGatewayProps(Builder builder) {
        this.vpc = builder.vpc;
        this.publicSubnet = builder.publicSubnet;
        this.privateSubnets = builder.privateSubnets;
        this.flowLogs = builder.flowLogs;
        this.flowLogRetention = builder.flowLogRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the VPC */
    public IVpc getVpc() {
        return vpc;
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

    /** Builds {@link TemporaryNatGatewayProps}. */
    public static final class Builder {
        private IVpc vpc;
        private SubnetSelection publicSubnet;
        private SubnetSelection privateSubnets;
        private boolean flowLogs;
        private RetentionDays flowLogRetention;

        private Builder() {
        }

        /**
         * The VPC. It needs a public subnet (routed to an internet gateway) for the NAT gateway. Required.
         *
         * @param vpc the VPC
         * @return this builder
         */
        public Builder vpc(IVpc vpc) {
            this.vpc = vpc;
            return this;
        }

        /**
         * The public subnet of the NAT gateway: the first subnet of the selection.
         *
         * <p>Default: the VPC's first public subnet.
         *
         * @param publicSubnet the selection
         * @return this builder
         */
        public Builder publicSubnet(SubnetSelection publicSubnet) {
            this.publicSubnet = publicSubnet;
            return this;
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
        public Builder privateSubnets(SubnetSelection privateSubnets) {
            this.privateSubnets = privateSubnets;
            return this;
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
        public TemporaryNatGatewayProps build() {
            return new TemporaryNatGatewayProps(this);
        }
    }
}
