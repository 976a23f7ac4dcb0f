package io.parley.runtime.speech.offline;

import java.util.LinkedHashMap;

/**
 * The offline voices' audio of short texts (greetings, scripted lines), least recently used out
 * first, bounded in entries and in bytes. Values are μ-law; callers hand out copies, since sinks
 * keep what they are given.
 */
final class AudioCache<K> {

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<K, byte[]> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    AudioCache(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    boolean enabled() {
        return maxEntries > 0 && maxBytes > 0;
    }

    synchronized byte[] get(K key) {
        return entries.get(key);
    }

    synchronized void put(K key, byte[] ulaw) {
        if (ulaw.length > maxBytes) {
            return;
        }
        byte[] previous = entries.put(key, ulaw);
        bytes += ulaw.length - (previous == null ? 0 : previous.length);
        var oldest = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && oldest.hasNext()) {
            bytes -= oldest.next().getValue().length;
            oldest.remove();
        }
    }
}
