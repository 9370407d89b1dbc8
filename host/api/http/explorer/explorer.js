// The API explorer at /docs: Swagger UI (embedded in the daemon, no request leaves it) on the
// daemon's own /openapi.json. A file, not an inline script, so the page's Content-Security-Policy
// allows no inline script. With tokens on, the Authorize button takes the bearer token, which
// Swagger UI then sends as `Authorization: Bearer ...` with every request it tries.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The public validator badge would send the document to another site.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
