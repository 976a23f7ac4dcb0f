package io.parley.platform.telephony.twilio;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

/** Present when Twilio, the live carrier, is configured ({@code parley.telephony.twilio.account-sid} is set). */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@ConditionalOnExpression("!'${parley.telephony.twilio.account-sid:}'.isBlank()")
public @interface ConditionalOnTwilio {}
