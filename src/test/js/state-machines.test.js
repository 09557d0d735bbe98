'use strict';
// Every state machine of every example stack (test-snapshots/, written by ExamplesTest) is valid Amazon States
// Language, as asl-validator (npm) reads it: its JSON schemas of the states, and the JSONPath syntax of its paths.
// The definition's references (Fn::GetAtt of the function, Ref) are rendered as ARNs, as CloudFormation would.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const aslValidator = require('asl-validator');
const { definitionFrom } = require('./state-machine-driver');

const SNAPSHOTS = path.join(__dirname, '..', '..', '..', 'test-snapshots');

const machines = fs.readdirSync(SNAPSHOTS).filter((file) => file.endsWith('.template.json')).flatMap((file) => {
  const template = JSON.parse(fs.readFileSync(path.join(SNAPSHOTS, file), 'utf8'));
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId]) => ({ file, logicalId }));
});

test('the examples have state machines: the warmers and the copiers', () => {
  assert.ok(machines.length >= 7, `${machines.length} state machines`);
  assert.ok(machines.some((each) => each.logicalId.startsWith('CacheCopierRun')));
});

for (const { file, logicalId } of machines) {
  test(`${file} ${logicalId} is valid Amazon States Language`, () => {
    const { definition } = definitionFrom(path.join(SNAPSHOTS, file), logicalId);
    const { isValid, errorsText } = aslValidator(definition);
    assert.ok(isValid, errorsText('\n'));
  });
}

test('the check refuses a definition that is not: a Map without its item processor, a Retry of a bad backoff', () => {
  const { file, logicalId } = machines[0];
  const { definition } = definitionFrom(path.join(SNAPSHOTS, file), logicalId);
  const broken = JSON.parse(JSON.stringify(definition));
  delete broken.States.Images.ItemProcessor;
  assert.equal(aslValidator(JSON.parse(JSON.stringify(broken))).isValid, false);
  const badRetry = JSON.parse(JSON.stringify(definition));
  badRetry.States.Images.ItemProcessor.States['Process image'].Retry[1].BackoffRate = 'twice';
  assert.equal(aslValidator(badRetry).isValid, false);
});
