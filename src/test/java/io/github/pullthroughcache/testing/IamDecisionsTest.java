package io.github.pullthroughcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.pullthroughcache.testing.IamDecisions.Decision;
import io.github.pullthroughcache.testing.IamDecisions.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test evaluator decides as IAM does on the cases our policies meet, and refuses what it does not evaluate. */
class IamDecisionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPOSITORY = "arn:aws:ecr:eu-west-1:111111111111:repository/quay/prometheus/prometheus";
    private static final Principal IN_ORGANIZATION = new Principal("arn:aws:iam::222222222222:role/Warmer", "222222222222",
            Map.of("aws:PrincipalOrgID", List.of("o-a1b2c3d4e5")));
    private static final Principal OUTSIDE = new Principal("arn:aws:iam::333333333333:role/Warmer", "333333333333",
            Map.of("aws:PrincipalOrgID", List.of("o-zzzzzzzzzz")));
    private static final Principal CENTRAL = new Principal("arn:aws:iam::111111111111:role/Task", "111111111111", Map.of());

    private static List<JsonNode> statements(String json) {
        try {
            return List.of(JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final List<JsonNode> IDENTITY = statements("{\"Effect\":\"Allow\",\"Action\":\"ecr:Batch*\","
            + "\"Resource\":\"arn:aws:ecr:eu-west-1:111111111111:repository/quay/*\"}");
    private static final List<JsonNode> ORGANIZATION = statements("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
            + "\"Action\":[\"ecr:BatchGetImage\"],\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}}");

    @Test
    void acrossAccountsBothSidesMustAllow() {
        assertThat(IamDecisions.decide(IN_ORGANIZATION, IDENTITY, "111111111111", ORGANIZATION, "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.ALLOW);
        assertThat(IamDecisions.decide(IN_ORGANIZATION, IDENTITY, "111111111111", List.of(), "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(IamDecisions.decide(IN_ORGANIZATION, List.of(), "111111111111", ORGANIZATION, "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void inOneAccountEitherSideIsEnough() {
        assertThat(IamDecisions.decide(CENTRAL, IDENTITY, "111111111111", List.of(), "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.ALLOW);
        assertThat(IamDecisions.decide(CENTRAL, List.of(), "111111111111", statements("{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"ecr:BatchGetImage\"}"),
                "ecr:BatchGetImage", REPOSITORY)).isEqualTo(Decision.ALLOW);
    }

    @Test
    void theOrganizationConditionKeepsOtherOrganizationsAndUnknownOnesOut() {
        assertThat(IamDecisions.decide(OUTSIDE, IDENTITY, "111111111111", ORGANIZATION, "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.IMPLICIT_DENY);
        Principal noOrganization = new Principal("arn:aws:iam::222222222222:role/R", "222222222222", Map.of());
        assertThat(IamDecisions.decide(noOrganization, IDENTITY, "111111111111", ORGANIZATION, "ecr:BatchGetImage",
                REPOSITORY)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void anAccountPrincipalMatchesItsOwnPrincipalsOnly() {
        List<JsonNode> account = statements("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::222222222222:root\"]},"
                + "\"Action\":\"ecr:BatchGetImage\"}");
        assertThat(IamDecisions.evaluate(account, IN_ORGANIZATION, IN_ORGANIZATION, "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.ALLOW);
        assertThat(IamDecisions.evaluate(account, OUTSIDE, OUTSIDE, "ecr:BatchGetImage", REPOSITORY))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void actionsMatchWithoutCaseResourcesWithCaseAndWildcardsMatchRunsAndSingleCharacters() {
        assertThat(IamDecisions.wildcard("ecr:batch*", "ecr:BatchGetImage", true)).isTrue();
        assertThat(IamDecisions.wildcard("ecr:Get?uthorizationToken", "ecr:GetAuthorizationToken", true)).isTrue();
        assertThat(IamDecisions.wildcard("arn:aws:ecr:eu-west-1:111111111111:repository/quay/*", REPOSITORY, false)).isTrue();
        assertThat(IamDecisions.wildcard("arn:aws:ecr:eu-west-1:111111111111:repository/Quay/*", REPOSITORY, false)).isFalse();
        assertThat(IamDecisions.wildcard("arn:aws:ecr:eu-west-1:111111111111:repository/quay", REPOSITORY, false)).isFalse();
        assertThat(IamDecisions.decide(CENTRAL, IDENTITY, "111111111111", List.of(), "ecr:PutImage", REPOSITORY))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void anExplicitDenyWins() {
        List<JsonNode> deny = statements("{\"Effect\":\"Deny\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}");
        assertThat(IamDecisions.decide(CENTRAL, List.of(IDENTITY.get(0), deny.get(0)), "111111111111", List.of(),
                "ecr:BatchGetImage", REPOSITORY)).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void whatItDoesNotEvaluateFailsTheTest() {
        assertThatThrownBy(() -> IamDecisions.evaluate(statements("{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\","
                + "\"Resource\":\"*\"}"), null, CENTRAL, "ecr:BatchGetImage", REPOSITORY)).hasMessageContaining("NotAction");
        assertThatThrownBy(() -> IamDecisions.evaluate(statements("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}"), null, CENTRAL,
                "ecr:BatchGetImage", REPOSITORY)).hasMessageContaining("IpAddress");
    }

    @Test
    void intrinsicsAreResolvedAndOtherReferencesStayPlaceholders() throws Exception {
        JsonNode resolved = IamDecisions.resolve(JSON.readTree("{\"Fn::Join\":[\"\",[\"arn:\",{\"Ref\":\"AWS::Partition\"},"
                + "\":ecr:eu-west-1:\",{\"Ref\":\"AWS::AccountId\"},\":repository/\",{\"Ref\":\"Thing\"}]]}"),
                IamDecisions.pseudoParameters("111111111111", "eu-west-1"));
        assertThat(resolved.asText()).isEqualTo("arn:aws:ecr:eu-west-1:111111111111:repository/${Ref:Thing}");
    }
}
