package io.parley.platform.tenancy.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.TenantsApi;
import io.parley.platform.api.model.CreateTenantRequest;
import io.parley.platform.api.model.TenantCreated;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.TenantService;
import io.parley.platform.web.ApiProblemException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TenantsController implements TenantsApi {

    private final TenantService tenants;
    private final Idempotency idempotency;

    TenantsController(TenantService tenants, Idempotency idempotency) {
        this.tenants = tenants;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<TenantCreated> createTenant(CreateTenantRequest request, String idempotencyKey) {
        if (request.getName().isBlank()) {
            throw ApiProblemException.invalidField("name", "must not be blank");
        }
        return idempotency.runForOperator(idempotencyKey, "createTenant", request, TenantCreated.class, () -> {
            TenantService.CreatedTenant created = tenants.create(request.getName().strip());
            return ResponseEntity.status(HttpStatus.CREATED).body(new TenantCreated()
                    .id(created.tenant().id().value())
                    .name(created.tenant().name())
                    .createdAt(utc(created.tenant().createdAt()))
                    .apiKey(created.secret().value()));
        });
    }
}
