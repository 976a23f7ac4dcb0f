package io.parley.platform.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The SSRF guard on tenants' webhook endpoints: a URL must be {@code https} and every address its host resolves
 * to must be public, not loopback, private (RFC 1918, unique-local), link-local (cloud metadata services),
 * carrier-grade NAT, multicast, unspecified or reserved. Networks listed as allowed (development only) pass
 * anyway, over plain {@code http} too. Checked when an endpoint is registered and again before every delivery
 * (a name may resolve elsewhere later); deliveries never follow redirects.
 */
public final class EndpointGuard {

    private final List<IpAddressMatcher> allowed;

    public EndpointGuard(List<String> allowedNetworks) {
        this.allowed = allowedNetworks == null ? List.of()
                : allowedNetworks.stream().map(String::strip).filter(s -> !s.isEmpty()).map(IpAddressMatcher::new).toList();
    }

    /** Why {@code url} may not receive webhooks, or empty when it may. */
    public Optional<String> refuse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("must be an https URL");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry a user name or password");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not have a fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("must name a host");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return Optional.of("its host " + host + " does not resolve");
        }
        Optional<String> forbidden = forbidden(host, addresses);
        if (forbidden.isPresent()) {
            return forbidden;
        }
        boolean allAllowed = java.util.Arrays.stream(addresses).allMatch(this::explicitlyAllowed);
        if (scheme.equals("http") && !allAllowed) {
            return Optional.of("must be an https URL");
        }
        return Optional.empty();
    }

    /**
     * Resolves {@code host} for a connection, refusing it (an {@link UnknownHostException}) when any of its addresses
     * may not receive webhooks: the connection is made to the addresses checked here and no others, so a name that
     * resolved to a public address when the URL was checked cannot point the post at a private one since (DNS
     * rebinding).
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        Optional<String> forbidden = forbidden(host, addresses);
        if (forbidden.isPresent()) {
            throw new UnknownHostException("refused: " + forbidden.get());
        }
        return addresses;
    }

    private Optional<String> forbidden(String host, InetAddress[] addresses) {
        for (InetAddress address : addresses) {
            if (!explicitlyAllowed(address) && !isPublic(address)) {
                return Optional.of("its host " + host + " resolves to " + address.getHostAddress()
                        + ", a private, loopback, link-local or reserved address");
            }
        }
        return Optional.empty();
    }

    private boolean explicitlyAllowed(InetAddress address) {
        return allowed.stream().anyMatch(m -> m.matches(address.getHostAddress()));
    }

    /** Whether {@code address} is a public unicast address. */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicV4(b[0] & 0xff, b[1] & 0xff, b[2] & 0xff);
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) return false;                       // fc00::/7 unique local
            if (first == 0xfe && (b[1] & 0xc0) == 0xc0) return false;         // fec0::/10 site local (deprecated)
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) return false; // 2001:db8::/32
            boolean zeroPrefix = true;
            for (int i = 0; i < 10; i++) zeroPrefix &= b[i] == 0;
            if (zeroPrefix && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
                return isPublicV4(b[12] & 0xff, b[13] & 0xff, b[14] & 0xff);  // ::a.b.c.d, ::ffff:a.b.c.d
            }
            if (first == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                return isPublicV4(b[12] & 0xff, b[13] & 0xff, b[14] & 0xff);  // 64:ff9b::/96 NAT64
            }
            if (first == 0x20 && b[1] == 0x02) {
                return isPublicV4(b[2] & 0xff, b[3] & 0xff, b[4] & 0xff);     // 2002::/16 6to4
            }
            return true;
        }
        return false;
    }

    private static boolean isPublicV4(int a, int b, int c) {
        return !(a == 0 || a == 10 || a == 127 || a >= 224                   // this network, private, loopback, multicast and reserved
                || (a == 100 && (b & 0xc0) == 64)                            // 100.64.0.0/10 carrier-grade NAT
                || (a == 169 && b == 254)                                    // link local, cloud metadata
                || (a == 172 && (b & 0xf0) == 16)                            // 172.16.0.0/12
                || (a == 192 && b == 168)                                    // 192.168.0.0/16
                || (a == 192 && b == 0 && c == 0)                            // 192.0.0.0/24 protocol assignments
                || (a == 192 && b == 0 && c == 2) || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113) // documentation
                || (a == 198 && (b == 18 || b == 19)));                      // benchmarking
    }
}
