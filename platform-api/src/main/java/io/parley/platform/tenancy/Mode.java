package io.parley.platform.tenancy;

/** Test mode never reaches a real phone or card; it is a property of the credential. */
public enum Mode {
    TEST, LIVE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Mode fromWire(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
