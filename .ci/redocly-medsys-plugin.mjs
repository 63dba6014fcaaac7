// Redocly preprocessor: request examples marked `x-invalid-request: true` break their schema on
// purpose (openapi/README.md, "Cases"). Hide their value from no-invalid-media-type-examples and
// no-invalid-parameter-examples; `cargo xtask check-spec` still checks everything else about them.
function hide(node, ctx) {
  if (!node || typeof node.examples !== 'object' || node.examples === null) return;
  for (const example of Object.values(node.examples)) {
    const target = example && typeof example.$ref === 'string' ? ctx.resolve(example).node : example;
    if (target && target['x-invalid-request'] === true && 'value' in target) {
      target['x-invalid-value'] = target.value;
      delete target.value;
    }
  }
}
export default function medsysPlugin() {
  return {
    id: 'medsys',
    preprocessors: {
      oas3: {
        'hide-invalid-request-examples': () => ({
          RequestBody: { MediaType: { enter: hide } },
          Parameter: { enter: hide },
        }),
      },
    },
  };
}
