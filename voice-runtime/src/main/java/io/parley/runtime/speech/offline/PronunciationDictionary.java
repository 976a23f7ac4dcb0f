package io.parley.runtime.speech.offline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** The words the decoder can pronounce: the first column of a CMU dictionary, alternates folded in. */
final class PronunciationDictionary {

    private final Set<String> words;

    private PronunciationDictionary(Set<String> words) {
        this.words = Set.copyOf(words);
    }

    static PronunciationDictionary load(Path file) {
        Set<String> words = new HashSet<>(200_000);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line; (line = reader.readLine()) != null; ) {
                int end = line.indexOf(' ');
                if (end <= 0) {
                    continue;
                }
                String word = line.substring(0, end);
                int alternate = word.indexOf('('); // "read(2)": a second pronunciation of "read"
                words.add(alternate > 0 ? word.substring(0, alternate) : word);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PronunciationDictionary(words);
    }

    static PronunciationDictionary of(String... words) {
        return new PronunciationDictionary(Set.of(words));
    }

    boolean contains(String word) {
        return words.contains(word);
    }

    int size() {
        return words.size();
    }
}
