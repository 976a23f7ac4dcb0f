package io.parley.platform.tenancy.web;

import io.parley.platform.tenancy.Caller;
import java.util.Collection;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated tenant caller; authorities are its scopes. */
public final class CallerAuthentication extends AbstractAuthenticationToken {

    private final Caller caller;

    public CallerAuthentication(Caller caller) {
        super(authorities(caller));
        this.caller = caller;
        setAuthenticated(true);
    }

    private static Collection<? extends GrantedAuthority> authorities(Caller caller) {
        return caller.scopes().stream().map(s -> new SimpleGrantedAuthority(s.authority())).toList();
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller.actor();
    }

    /** The operator, who may create tenants and nothing else. */
    public static final class Operator extends AbstractAuthenticationToken {

        public static final String AUTHORITY = "ROLE_OPERATOR";

        public Operator() {
            super(List.of(new SimpleGrantedAuthority(AUTHORITY)));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return "operator";
        }
    }
}
