/**
 * Not API. What the library's public packages share among themselves: the Lambda handlers' functions and code,
 * stack facts read once per stack, token checks, construct id helpers, cdk-nag acknowledgements.
 *
 * <p>Java has no access level between "public" and "package": these classes are public only so that the
 * library's own packages can call them. They are left out of the javadoc, no public class of the library takes or
 * returns one of them, and they may change in any release. Do not call them from an app.
 */
package io.github.pullthroughcache.internal;
