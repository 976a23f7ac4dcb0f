package io.parley.platform.web;

import java.lang.reflect.Method;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.convert.converter.ConverterFactory;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    /** Query parameters of the spec's enums arrive in their wire form ({@code in_progress}), which the generated {@code fromValue} reads. */
    @Override
    public void addFormatters(FormatterRegistry registry) {
        registry.addConverterFactory(new WireEnums());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class WireEnums implements ConverterFactory<String, Enum> {
        @Override
        public <T extends Enum> Converter<String, T> getConverter(Class<T> type) {
            Method fromValue;
            try {
                fromValue = type.getMethod("fromValue", String.class);
            } catch (NoSuchMethodException e) {
                return source -> (T) Enum.valueOf(type, source.trim());
            }
            return source -> {
                try {
                    return (T) fromValue.invoke(null, source.trim());
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("not one of " + type.getSimpleName(), e.getCause());
                }
            };
        }
    }
}
