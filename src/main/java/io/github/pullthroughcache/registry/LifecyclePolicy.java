package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;

/**
 * The lifecycle policy of a creation template: {@link LifecycleRule}s checked as ECR checks them and rendered to
 * the JSON that {@code ecr.Repository} renders for the same rules (rules without a priority numbered after the
 * highest given one, the rule for any tag status last).
 */
final class LifecyclePolicy {

    /** The longest lifecycle policy ECR accepts. */
    static final int MAX_LENGTH = 30_720;

    private static final int MAX_TAG_PATTERN_WILDCARDS = 4;

    private record Entry(int index, LifecycleRule rule, TagStatus tagStatus) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String property;
    private final List<Entry> entries = new ArrayList<>();
    /** Days unpulled after which an image is archived, or {@code null}. */
    private Integer archiveDays;

    /** @param property the property the rules come from, for errors */
    LifecyclePolicy(String property) {
        this.property = property;
    }

    /**
     * Checks a rule alone and with the rules before it, then keeps it.
     *
     * @throws IllegalArgumentException naming the rule and what ECR would accept
     */
    void add(LifecycleRule rule) {
        Entry entry = new Entry(entries.size(), rule, tagStatus(rule));
        String name = property + "[" + entry.index() + "]";
        boolean hasPrefixes = rule.getTagPrefixList() != null;
        boolean hasPatterns = rule.getTagPatternList() != null;
        if (entry.tagStatus() == TagStatus.TAGGED && isEmpty(rule.getTagPrefixList()) && isEmpty(rule.getTagPatternList())) {
            throw new IllegalArgumentException(name + " has tagStatus TAGGED and no tagPrefixList or tagPatternList: "
                    + "name the tags it selects, or use ANY or UNTAGGED");
        }
        if (entry.tagStatus() != TagStatus.TAGGED && (hasPrefixes || hasPatterns)) {
            throw new IllegalArgumentException(name + " has tagStatus " + entry.tagStatus() + " and "
                    + (hasPrefixes ? "tagPrefixList " + rule.getTagPrefixList() : "tagPatternList " + rule.getTagPatternList())
                    + ": tag prefixes and patterns select tagged images only; use tagStatus TAGGED");
        }
        if (hasPrefixes && hasPatterns) {
            throw new IllegalArgumentException(name + " has both tagPrefixList and tagPatternList: ECR takes one of them");
        }
        if (hasPatterns) {
            for (String pattern : rule.getTagPatternList()) {
                if (!Tokens.isUnresolved(pattern) && pattern.chars().filter(c -> c == '*').count() > MAX_TAG_PATTERN_WILDCARDS) {
                    throw new IllegalArgumentException(name + " has tag pattern '" + pattern + "' with more than "
                            + MAX_TAG_PATTERN_WILDCARDS + " wildcards (*), which ECR refuses");
                }
            }
        }
        if ((rule.getMaxImageAge() == null) == (rule.getMaxImageCount() == null)) {
            throw new IllegalArgumentException(name + " needs exactly one of maxImageAge and maxImageCount, got "
                    + (rule.getMaxImageAge() == null ? "neither" : "both"));
        }
        if (rule.getMaxImageCount() != null && rule.getMaxImageCount().doubleValue() < 1) {
            throw new IllegalArgumentException(name + " has maxImageCount " + rule.getMaxImageCount()
                    + ": expected 1 or more");
        }
        Number priority = rule.getRulePriority();
        if (priority != null && (priority.doubleValue() < 1 || priority.doubleValue() != Math.floor(priority.doubleValue()))) {
            throw new IllegalArgumentException(name + " has rulePriority " + priority + ": expected a whole number, 1 or more");
        }
        if (archiveDays != null && entry.tagStatus() == TagStatus.ANY) {
            throw anyWithArchive(entry.index());
        }
        for (Entry other : entries) {
            if (entry.tagStatus() == TagStatus.ANY && other.tagStatus() == TagStatus.ANY) {
                throw new IllegalArgumentException(name + " is a second rule for tagStatus ANY (the first is "
                        + property + "[" + other.index() + "]): a lifecycle policy has at most one, its last rule");
            }
            if (priority != null && other.rule().getRulePriority() != null
                    && priority.doubleValue() == other.rule().getRulePriority().doubleValue()) {
                throw new IllegalArgumentException(name + " has rulePriority " + priority.intValue() + ", which "
                        + property + "[" + other.index() + "] has too: each rule needs its own priority");
            }
        }
        List<Entry> candidate = new ArrayList<>(entries);
        candidate.add(entry);
        prioritize(candidate);
        entries.add(entry);
    }

    /**
     * Archives any image not pulled for the days, in a last rule: ECR's {@code sinceImagePulled} with the action
     * {@code transition} to {@code archive}.
     *
     * @param days whole days, 1 or more
     * @throws IllegalArgumentException when a rule for tagStatus ANY exists: ECR takes one, the last
     */
    void archiveUnpulledAfter(int days) {
        for (Entry entry : entries) {
            if (entry.tagStatus() == TagStatus.ANY) {
                throw anyWithArchive(entry.index());
            }
        }
        this.archiveDays = days;
    }

    private IllegalArgumentException anyWithArchive(int index) {
        return new IllegalArgumentException(property + "[" + index + "] is a rule for tagStatus ANY, and "
                + "archiveUnpulledAfter makes one too (its last rule): a lifecycle policy has at most one. Give that "
                + "rule tagStatus TAGGED or UNTAGGED, or leave archiveUnpulledAfter out");
    }

    /**
     * @return {@code {"rules": [...]}} as a JSON string (a token when a rule holds one), or {@code null} for
     *     no rules
     */
    String render(Stack stack) {
        return entries.isEmpty() && archiveDays == null ? null : stack.toJsonString(policy());
    }

    /** @return whether no rule holds a token, so that {@link #renderLiteral()} can render the policy in Java */
    boolean isLiteral() {
        for (Entry entry : entries) {
            LifecycleRule rule = entry.rule();
            if (Tokens.isUnresolved(rule.getDescription()) || holdsToken(rule.getTagPrefixList())
                    || holdsToken(rule.getTagPatternList())
                    // a number token is a double near -1.9e289
                    || (rule.getMaxImageCount() != null && rule.getMaxImageCount().doubleValue() < -1e200)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The same JSON as {@link #render(Stack)}, written in Java: no jsii round trip but one per age rule.
     *
     * @return the policy, or {@code null} for no rules
     * @throws IllegalStateException when a rule holds a token ({@link #isLiteral()} is false)
     */
    String renderLiteral() {
        if (!isLiteral()) {
            throw new IllegalStateException("a lifecycle rule holds a token: render it with the stack");
        }
        if (entries.isEmpty() && archiveDays == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(policy());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return an error when the rendered policy is longer than ECR accepts; nothing for a token
     */
    List<String> validateLength(Stack stack, String rendered) {
        Object resolved = rendered == null || !Tokens.isUnresolved(rendered) ? rendered : stack.resolve(rendered);
        if (resolved instanceof String text && text.length() > MAX_LENGTH) {
            return List.of(property + " render to a lifecycle policy of " + text.length()
                    + " characters, and ECR accepts at most " + MAX_LENGTH + ": use fewer rules or shorter descriptions");
        }
        return List.of();
    }

    /** @return whether a literal policy is longer than ECR accepts */
    static boolean tooLong(String literal) {
        return literal != null && literal.length() > MAX_LENGTH;
    }

    private static boolean holdsToken(List<String> values) {
        return values != null && values.stream().anyMatch(Tokens::isUnresolved);
    }

    /** {@code {"rules": [...]}}, in priority order. */
    private Map<String, Object> policy() {
        List<Object> rules = new ArrayList<>();
        TreeMap<Integer, Entry> ordered = prioritize(entries);
        ordered.forEach((priority, entry) -> rules.add(render(priority, entry)));
        if (archiveDays != null) {
            rules.add(archiveRule(ordered.isEmpty() ? 1 : ordered.lastKey() + 1, archiveDays));
        }
        return Map.of("rules", rules);
    }

    /** The rules by priority, numbered as {@code ecr.Repository} numbers them; the ANY rule must come last. */
    private TreeMap<Integer, Entry> prioritize(List<Entry> list) {
        List<Entry> given = new ArrayList<>();
        List<Entry> unnumbered = new ArrayList<>();
        Entry any = null;
        for (Entry entry : list) {
            if (entry.tagStatus() == TagStatus.ANY) {
                any = entry;
            } else if (entry.rule().getRulePriority() != null) {
                given.add(entry);
            } else {
                unnumbered.add(entry);
            }
        }
        if (any != null && any.rule().getRulePriority() != null && !unnumbered.isEmpty()) {
            throw new IllegalArgumentException(property + "[" + any.index() + "] is the rule for tagStatus ANY and has "
                    + "rulePriority " + any.rule().getRulePriority().intValue() + ", but " + property + "["
                    + unnumbered.get(0).index() + "] has none: give every rule a priority, or none to the ANY rule");
        }
        TreeMap<Integer, Entry> ordered = new TreeMap<>();
        int next = 1;
        for (Entry entry : given) {
            int priority = entry.rule().getRulePriority().intValue();
            ordered.put(priority, entry);
            next = Math.max(next, priority + 1);
        }
        for (Entry entry : unnumbered) {
            ordered.put(next++, entry);
        }
        if (any != null) {
            int priority = any.rule().getRulePriority() != null ? any.rule().getRulePriority().intValue() : next;
            if (!ordered.isEmpty() && priority < ordered.lastKey()) {
                throw new IllegalArgumentException(property + "[" + any.index() + "] is the rule for tagStatus ANY "
                        + "and has rulePriority " + priority + ", but " + property + "[" + ordered.lastEntry().getValue().index()
                        + "] comes after it with " + ordered.lastKey() + ": ECR applies the ANY rule last, so give it "
                        + "the highest priority");
            }
            ordered.put(priority, any);
        }
        return ordered;
    }

    private static Map<String, Object> render(int priority, Entry entry) {
        LifecycleRule rule = entry.rule();
        Map<String, Object> selection = new LinkedHashMap<>();
        selection.put("tagStatus", entry.tagStatus().name().toLowerCase(Locale.ROOT));
        putIfPresent(selection, "tagPrefixList", rule.getTagPrefixList());
        putIfPresent(selection, "tagPatternList", rule.getTagPatternList());
        if (rule.getMaxImageAge() != null) {
            selection.put("countType", "sinceImagePushed");
            // the default rule's age is known here: no jsii round trip for every template that has it
            selection.put("countNumber", rule == CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS
                    ? CreationTemplateOptions.DEFAULT_EXPIRY_DAYS : whole(rule.getMaxImageAge().toDays()));
            selection.put("countUnit", "days");
        } else {
            selection.put("countType", "imageCountMoreThan");
            selection.put("countNumber", whole(rule.getMaxImageCount()));
        }
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("rulePriority", priority);
        putIfPresent(rendered, "description", rule.getDescription());
        rendered.put("selection", selection);
        rendered.put("action", Map.of("type", "expire"));
        return rendered;
    }

    /** The archive rule: any image not pulled for the days goes to the archive storage class. */
    private static Map<String, Object> archiveRule(int priority, int days) {
        Map<String, Object> selection = new LinkedHashMap<>();
        selection.put("tagStatus", "any");
        selection.put("countType", "sinceImagePulled");
        selection.put("countUnit", "days");
        selection.put("countNumber", days);
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("type", "transition");
        action.put("targetStorageClass", "archive");
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("rulePriority", priority);
        rendered.put("description", "Archive images not pulled for " + days + " days");
        rendered.put("selection", selection);
        rendered.put("action", action);
        return rendered;
    }

    /** A whole number as JavaScript writes it ({@code 20}, not {@code 20.0}). */
    private static Number whole(Number number) {
        double value = number.doubleValue();
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Number) (long) value : number;
    }

    private static TagStatus tagStatus(LifecycleRule rule) {
        if (rule.getTagStatus() != null) {
            return rule.getTagStatus();
        }
        return rule.getTagPrefixList() == null && rule.getTagPatternList() == null ? TagStatus.ANY : TagStatus.TAGGED;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static boolean isEmpty(List<String> list) {
        return list == null || list.isEmpty();
    }
}
