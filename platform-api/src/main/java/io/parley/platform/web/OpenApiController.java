package io.parley.platform.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Serves the contract this server implements, so clients can generate from what they talk to. */
@RestController
class OpenApiController {

    private static final Resource SPEC = new ClassPathResource("openapi/parley-v1.yaml");

    @GetMapping(value = "/v1/openapi.yaml")
    ResponseEntity<Resource> spec() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(SPEC);
    }
}
