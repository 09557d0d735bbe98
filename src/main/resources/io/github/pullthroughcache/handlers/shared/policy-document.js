'use strict';
// IAM policy documents compared by meaning, not by text. AWS services hand a stored policy back reformatted:
// spacing and key order change, a one-element list may come back as a plain string, principals and actions
// may be reordered, an account id may come back as its root ARN (IAM policy grammar:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html, "Principal":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html). Terraform's
// AWS provider compares ECR registry and repository policies the same way (SuppressEquivalentPolicyDiffs).

const asList = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const sortedSet = (values) => [...new Set(values.map(String))].sort();

// "111111111111" and "arn:aws:iam::111111111111:root" name the same principal
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const awsPrincipal = (value) => {
  const root = ACCOUNT_ROOT.exec(value);
  return root ? root[1] : value;
};

function principal(value) {
  if (value === undefined) return undefined;
  // "Principal": "*" is the same as { "AWS": "*" }
  if (value === '*') return { AWS: ['*'] };
  const result = {};
  for (const type of Object.keys(value).sort()) {
    const names = asList(value[type]).map(String);
    result[type] = sortedSet(type === 'AWS' ? names.map(awsPrincipal) : names);
  }
  return result;
}

// condition keys are case-insensitive; operators and values are not
function condition(value) {
  if (value === undefined) return undefined;
  const result = {};
  for (const operator of Object.keys(value).sort()) {
    const keys = {};
    for (const key of Object.keys(value[operator])) keys[key.toLowerCase()] = sortedSet(asList(value[operator][key]));
    result[operator] = Object.fromEntries(Object.keys(keys).sort().map((key) => [key, keys[key]]));
  }
  return result;
}

// action names are case-insensitive
const actions = (value) => (value === undefined ? undefined : sortedSet(asList(value).map((a) => String(a).toLowerCase())));
const resources = (value) => (value === undefined ? undefined : sortedSet(asList(value)));

/** One statement in one spelling: equal statements give equal text. */
function canonicalStatement(statement) {
  const result = {
    Sid: statement.Sid || '',
    Effect: statement.Effect,
    Principal: principal(statement.Principal),
    NotPrincipal: principal(statement.NotPrincipal),
    Action: actions(statement.Action),
    NotAction: actions(statement.NotAction),
    Resource: resources(statement.Resource),
    NotResource: resources(statement.NotResource),
    Condition: condition(statement.Condition),
  };
  return JSON.stringify(result);
}

const statementsOf = (document) => (document ? asList(document.Statement) : []);

/** (a, b) => whether two lists hold the same items, in any order, items being equal when keyOf gives equal text. */
const sameBy = (keyOf) => (a, b) => {
  const left = a.map(keyOf).sort();
  const right = b.map(keyOf).sort();
  return left.length === right.length && left.every((text, index) => text === right[index]);
};

/** Whether two lists of statements say the same, in any order and spelling. */
const sameStatements = sameBy(canonicalStatement);

/** Whether two policy documents (or null for none) say the same. A missing Version is IAM's default, 2008-10-17. */
function sameDocument(a, b) {
  if (!a || !b) return !a === !b;
  return (a.Version || '2008-10-17') === (b.Version || '2008-10-17') && (a.Id || '') === (b.Id || '')
    && sameStatements(statementsOf(a), statementsOf(b));
}

/** The principals statements name, as written: ARNs, account ids, service names. */
function principalsOf(statements) {
  return sortedSet(statements.flatMap((statement) => Object.values(statement.Principal && statement.Principal !== '*'
    ? statement.Principal : {}).flatMap(asList)));
}

module.exports = { sameBy, asList, canonicalStatement, sameStatements, sameDocument, statementsOf, principalsOf };
