package io.parley.platform.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.io.ClassPathResource;

class EndpointGuardTests {

    private final EndpointGuard guard = new EndpointGuard(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.0.8", "192.0.2.1",
            "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
            "64:ff9b::a00:1", "2002:a00:1::", "2001:db8::1", "fec0::1"})
    void privateLoopbackLinkLocalAndReservedAddressesAreNotPublic(String address) throws Exception {
        assertThat(EndpointGuard.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.0.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
            "64:ff9b::808:808"})
    void publicAddressesArePublic(String address) throws Exception {
        assertThat(EndpointGuard.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://127.0.0.1/",
            "https://[::ffff:192.168.0.1]/", "https://0x7f000001/", "https://2130706433/", "ftp://8.8.8.8/", "http://8.8.8.8/hook",
            "https://user:pw@8.8.8.8/", "https://8.8.8.8/#x", "https:///nohost", "not a url", "https://no-such-host.invalid/"})
    void refusesWhatMayNotReceiveWebhooks(String url) {
        assertThat(guard.refuse(url)).as(url).isPresent();
    }

    @Test
    void acceptsHttpsToAPublicAddress() {
        assertThat(guard.refuse("https://8.8.8.8/parley/webhooks?x=1")).isEmpty();
        assertThat(guard.refuse("https://[2606:4700:4700::1111]:8443/hook")).isEmpty();
    }

    @Test
    void allowedNetworksPassOverHttpTooAndNothingElseDoes() {
        EndpointGuard development = new EndpointGuard(List.of("127.0.0.1/32", " "));
        assertThat(development.refuse("http://127.0.0.1:8080/hook")).isEmpty();
        assertThat(development.refuse("http://127.0.0.2:8080/hook")).isPresent();
        assertThat(development.refuse("http://8.8.8.8/hook")).as("plain http to the internet").isPresent();
    }

    @Test
    void aConnectionIsOnlyMadeToAddressesCheckedAsTheyAreResolved() throws Exception {
        // what the webhook client connects to: a name resolving to a private address is refused at connect time too,
        // however it resolved when its URL was checked (DNS rebinding)
        EndpointGuard strict = new EndpointGuard(java.util.List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> strict.resolve("localhost"))
                .isInstanceOf(java.net.UnknownHostException.class).hasMessageStartingWith("refused: ").hasMessageContaining("loopback");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> strict.resolve("169.254.169.254"))
                .isInstanceOf(java.net.UnknownHostException.class).hasMessageContaining("169.254.169.254");
        org.assertj.core.api.Assertions.assertThat(strict.resolve("8.8.8.8")).extracting(java.net.InetAddress::getHostAddress).containsExactly("8.8.8.8");
        EndpointGuard dev = new EndpointGuard(java.util.List.of("127.0.0.1/32"));
        org.assertj.core.api.Assertions.assertThat(dev.resolve("127.0.0.1")).extracting(java.net.InetAddress::getHostAddress).containsExactly("127.0.0.1");
    }

    @Test
    void theDefaultRetryScheduleSpansAboutThreeDays() throws Exception {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));
        Properties properties = yaml.getObject();
        Duration total = Arrays.stream(properties.getProperty("parley.webhooks.retry-schedule").split(","))
                .map(s -> DurationStyle.detectAndParse(s.strip())).reduce(Duration.ZERO, Duration::plus);
        assertThat(total).isBetween(Duration.ofHours(60), Duration.ofHours(84));
    }

    @Test
    void jitterStaysWithinTwentyPercent() {
        for (int i = 0; i < 1000; i++) {
            assertThat(WebhookDispatcher.jitter(Duration.ofSeconds(100))).isBetween(Duration.ofSeconds(80), Duration.ofSeconds(120));
        }
    }
}
