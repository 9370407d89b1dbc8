// Validates an OpenAPI document with a real validator (@seriousme/openapi-schema-validator, the
// official OpenAPI 3.x JSON Schemas, pinned in package.json) and checks that it is OpenAPI 3.1.
//
// Usage: node openapi_validate.mjs FILE.json
// Exit status 0 when valid; 1 with the validator's errors on stderr otherwise; 2 on bad usage.
import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';

const file = process.argv[2];
if (!file) {
  console.error('usage: node openapi_validate.mjs FILE.json');
  process.exit(2);
}
const document = JSON.parse(fs.readFileSync(file, 'utf8'));
const validator = new Validator();
const result = await validator.validate(document);
if (!result.valid) {
  console.error('invalid OpenAPI document:\n' + JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
if (validator.version !== '3.1') {
  console.error(`expected OpenAPI 3.1, the validator found ${validator.version}`);
  process.exit(1);
}
console.log(`valid OpenAPI ${validator.version}: ${Object.keys(document.paths).length} paths`);
