package io.github.pullthroughcache.internal;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.TimeConversionOptions;

/** An age given as a {@link Duration} that ECR and the handlers take in whole days. Internal: not part of the API. */
public final class WholeDays {

    private WholeDays() {
    }

    /**
     * @param property the property the age comes from, for the error
     * @param age the age
     * @return its days
     * @throws IllegalArgumentException when it is not a whole number of days, 1 or more
     */
    public static int of(String property, Duration age) {
        double days = age.toDays(TimeConversionOptions.builder().integral(false).build()).doubleValue();
        if (days < 1 || days != Math.rint(days)) {
            throw new IllegalArgumentException(property + " " + age.toHumanString() + " is invalid: expected a whole "
                    + "number of days, 1 or more, such as Duration.days(90)");
        }
        return (int) days;
    }
}
