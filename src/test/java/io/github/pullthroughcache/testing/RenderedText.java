package io.github.pullthroughcache.testing;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;

/**
 * A string the library generated, as CloudFormation would hand it to a node: resolved in its stack, and an
 * {@code Fn::Join} of literals and pseudo parameters evaluated with the values of the stack's environment. For
 * stacks with a literal account and region; anything else fails, rather than guessing.
 */
public final class RenderedText {

    private RenderedText() {
    }

    /**
     * @param stack the stack the text belongs to (literal account and region)
     * @param text a string that may hold tokens
     * @return the text as deployed
     */
    public static String of(Stack stack, String text) {
        return evaluate(stack, stack.resolve(text));
    }

    private static String evaluate(Stack stack, Object value) {
        if (value instanceof String literal) {
            return literal;
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> entry = map.entrySet().iterator().next();
            if ("Fn::Join".equals(entry.getKey()) && entry.getValue() instanceof List<?> join && join.size() == 2) {
                StringBuilder text = new StringBuilder();
                List<?> parts = (List<?>) join.get(1);
                for (int i = 0; i < parts.size(); i++) {
                    text.append(i == 0 ? "" : join.get(0)).append(evaluate(stack, parts.get(i)));
                }
                return text.toString();
            }
            if ("Ref".equals(entry.getKey())) {
                switch (String.valueOf(entry.getValue())) {
                    case "AWS::URLSuffix":
                        return "amazonaws.com";
                    case "AWS::Partition":
                        return "aws";
                    default:
                        break;
                }
            }
        }
        throw new AssertionError("cannot evaluate " + value + " in stack " + stack.getStackName());
    }
}
