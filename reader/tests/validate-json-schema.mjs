// Validates a JSON document against a JSON Schema (draft 2020-12):
//   node tests/validate-json-schema.mjs SCHEMA_FILE [DOCUMENT_FILE]   (else the document on standard input)
// Prints "valid", or the errors and exits 1.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const schema = JSON.parse(readFileSync(process.argv[2], "utf8"));
const document = JSON.parse(readFileSync(process.argv[3] ?? 0, "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// ninjs refers to the GeoJSON schema for places' geometry, which there is no network to fetch:
// an object stands in (the API sends no geometry, so nothing is validated against it).
ajv.addSchema({ $id: "https://geojson.org/schema/GeoJSON.json", type: "object" });
const validate = ajv.compile(schema);
if (validate(document)) {
  console.log("valid");
} else {
  console.log(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
