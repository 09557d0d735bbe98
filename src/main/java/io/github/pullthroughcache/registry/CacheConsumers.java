package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * The accounts that may pull through a cache of another account: a whole AWS Organization, some of its
 * organizational units, or named accounts. An organization or its units are written as the principal {@code *} under
 * an {@code aws:PrincipalOrgID} or {@code aws:PrincipalOrgPaths} condition, as IAM's {@code OrganizationPrincipal}
 * does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid);
 * never a bare {@code *}.
 */
public final class CacheConsumers {

    private static final Pattern ORGANIZATION = Pattern.compile("^o-[a-z0-9]{10,32}$");
    private static final Pattern OU_PATH = Pattern.compile("^(o-[a-z0-9]{10,32})/r-[a-z0-9]{4,32}/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}/)+$");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");

    private final String organizationId;
    private final List<String> organizationalUnitPaths;
    private final List<String> accounts;

    private CacheConsumers(String organizationId, List<String> organizationalUnitPaths, List<String> accounts) {
        this.organizationId = organizationId;
        this.organizationalUnitPaths = organizationalUnitPaths;
        this.accounts = accounts;
    }

    /**
     * Every account of an organization.
     *
     * @param organizationId the organization's id, {@code o-} and 10 to 32 lowercase letters or digits
     * @return the consumers
     */
    public static CacheConsumers organization(String organizationId) {
        return new CacheConsumers(checkOrganization("CacheConsumers.organization: organizationId", organizationId),
                List.of(), List.of());
    }

    /**
     * The accounts of some organizational units of an organization, their child units included.
     *
     * @param organizationId the organization's id
     * @param ouPaths paths such as {@code o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/}, each of that organization
     * @return the consumers
     */
    public static CacheConsumers organizationalUnits(String organizationId, List<String> ouPaths) {
        String property = "CacheConsumers.organizationalUnits";
        checkOrganization(property + ": organizationId", organizationId);
        if (ouPaths == null || ouPaths.isEmpty()) {
            throw new IllegalArgumentException(property + ": ouPaths is empty: name one or more paths such as '"
                    + organizationId + "/r-ab12/ou-ab12-11111111/'");
        }
        for (String path : ouPaths) {
            if (path == null || Tokens.isUnresolved(path)) {
                continue;
            }
            var matcher = OU_PATH.matcher(path);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(property + ": ouPath '" + path + "' is invalid: expected "
                        + "'<organization id>/<root id>/<ou id>/...' ending in '/', such as '" + organizationId
                        + "/r-ab12/ou-ab12-11111111/'");
            }
            if (!Tokens.isUnresolved(organizationId) && !matcher.group(1).equals(organizationId)) {
                throw new IllegalArgumentException(property + ": ouPath '" + path + "' belongs to organization "
                        + matcher.group(1) + ", not " + organizationId);
            }
        }
        return new CacheConsumers(organizationId, List.copyOf(ouPaths), List.of());
    }

    /**
     * Named accounts, of any organization or none.
     *
     * @param accountIds 12-digit account ids
     * @return the consumers
     */
    public static CacheConsumers accounts(List<String> accountIds) {
        if (accountIds == null || accountIds.isEmpty()) {
            throw new IllegalArgumentException("CacheConsumers.accounts: accountIds is empty: name one or more "
                    + "12-digit account ids, or share with CacheConsumers.organization(...)");
        }
        for (String account : accountIds) {
            if (account == null || (!Tokens.isUnresolved(account) && !ACCOUNT.matcher(account).matches())) {
                throw new IllegalArgumentException("CacheConsumers.accounts: account '" + account
                        + "' is invalid: expected a 12-digit AWS account id");
            }
        }
        return new CacheConsumers(null, List.of(), List.copyOf(accountIds));
    }

    private static String checkOrganization(String property, String organizationId) {
        if (organizationId == null || (!Tokens.isUnresolved(organizationId) && !ORGANIZATION.matcher(organizationId).matches())) {
            throw new IllegalArgumentException(property + " '" + organizationId + "' is invalid: expected 'o-' and 10 "
                    + "to 32 lowercase letters or digits, such as 'o-a1b2c3d4e5'");
        }
        return organizationId;
    }

    /** @return the organization's id, or {@code null} for named accounts */
    public String getOrganizationId() {
        return organizationId;
    }

    /** @return the organizational unit paths, empty unless the consumers are units */
    public List<String> getOrganizationalUnitPaths() {
        return organizationalUnitPaths;
    }

    /** @return the named accounts, empty unless the consumers are accounts */
    public List<String> getAccounts() {
        return accounts;
    }

    /**
     * A statement that allows the consumers some actions: its principal and condition are set; add the actions and,
     * for an identity-less resource such as a registry, the resources.
     *
     * @param sid the statement's Sid
     * @return the statement's builder
     */
    public PolicyStatement.Builder statement(String sid) {
        PolicyStatement.Builder statement = PolicyStatement.Builder.create().sid(sid);
        if (!accounts.isEmpty()) {
            List<IPrincipal> principals = new ArrayList<>();
            accounts.forEach(account -> principals.add(new AccountPrincipal(account)));
            return statement.principals(principals);
        }
        return statement.principals(List.of(new AnyPrincipal())).conditions(condition());
    }

    /** @return the condition that pins the organization or its units; empty for named accounts */
    public Map<String, Object> condition() {
        if (organizationId == null) {
            return Map.of();
        }
        if (organizationalUnitPaths.isEmpty()) {
            return Map.of("StringEquals", Map.of("aws:PrincipalOrgID", organizationId));
        }
        // a trailing * takes the accounts of child units too
        return Map.of("ForAnyValue:StringLike", Map.of("aws:PrincipalOrgPaths",
                organizationalUnitPaths.stream().map(path -> path + "*").toList()));
    }

    /**
     * Whether a statement's condition pins an organization: {@code aws:PrincipalOrgID} or {@code aws:PrincipalOrgPaths}
     * under an operator that compares it with values, the only way a {@code *} principal is allowed.
     *
     * @param condition a statement's Condition, as its JSON
     * @return true when it does
     */
    static boolean pinsOrganization(Object condition) {
        if (!(condition instanceof Map<?, ?> operators)) {
            return false;
        }
        for (Map.Entry<?, ?> operator : operators.entrySet()) {
            String name = String.valueOf(operator.getKey());
            if (!name.contains("StringEquals") && !name.contains("StringLike")) {
                continue;
            }
            if (operator.getValue() instanceof Map<?, ?> keys) {
                for (Object key : keys.keySet()) {
                    String text = String.valueOf(key).toLowerCase(java.util.Locale.ROOT);
                    if (text.equals("aws:principalorgid") || text.equals("aws:principalorgpaths")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * @param principal a statement's Principal, as its JSON
     * @return whether it names everyone ({@code *}, alone or in a list)
     */
    static boolean namesEveryone(Object principal) {
        if (principal instanceof String text) {
            return text.equals("*");
        }
        if (principal instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(CacheConsumers::namesEveryone);
        }
        if (principal instanceof List<?> list) {
            return list.stream().anyMatch(CacheConsumers::namesEveryone);
        }
        return false;
    }

    @Override
    public String toString() {
        return organizationId == null ? "accounts " + accounts
                : organizationalUnitPaths.isEmpty() ? "organization " + organizationId
                : "organizational units " + organizationalUnitPaths;
    }
}
