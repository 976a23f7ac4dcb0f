package io.parley.platform.personas.web;

import io.parley.platform.api.PersonaTemplatesApi;
import io.parley.platform.api.model.PersonaTemplate;
import io.parley.platform.api.model.PersonaTemplateList;
import io.parley.platform.personas.PersonaTemplates;
import io.parley.platform.web.ApiProblemException;
import java.util.Locale;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/** Parley's persona templates: the same for every tenant, read-only. */
@RestController
class PersonaTemplatesController implements PersonaTemplatesApi {

    @Override
    public ResponseEntity<io.parley.platform.api.model.LanguageList> listLanguages() {
        return ResponseEntity.ok(new io.parley.platform.api.model.LanguageList().data(io.parley.platform.personas.Languages.all().stream()
                .map(l -> new io.parley.platform.api.model.Language().tag(l.tag()).name(l.name()).speechToText(l.speechToText())
                        .textToSpeech(l.textToSpeech())).toList()));
    }

    @Override
    public ResponseEntity<PersonaTemplateList> listPersonaTemplates() {
        return ResponseEntity.ok(new PersonaTemplateList().data(PersonaTemplates.all().stream().map(PersonaTemplatesController::toApi).toList()));
    }

    @Override
    public ResponseEntity<PersonaTemplate> getPersonaTemplate(String templateId) {
        return ResponseEntity.ok(PersonaTemplates.find(templateId).map(PersonaTemplatesController::toApi)
                .orElseThrow(() -> ApiProblemException.notFound("persona template")));
    }

    private static PersonaTemplate toApi(PersonaTemplates.Template t) {
        return new PersonaTemplate()
                .id(t.id())
                .name(t.name())
                .kind(io.parley.platform.api.model.PersonaKind.fromValue(t.kind().name().toLowerCase(Locale.ROOT)))
                .description(t.description())
                .systemPrompt(t.systemPrompt())
                .firstMessage(t.firstMessage())
                .variables(PersonasController.variablesToApi(t.variables()))
                .flow(PersonasController.flowToApi(t.flow()))
                .tools(t.tools().stream().map(io.parley.platform.api.model.PersonaTool::fromValue).toList());
    }
}
