package io.parley.platform.knowledge;

import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * A document's text and its passages. Text and Markdown must be UTF-8 (a byte-order mark is dropped; Markdown loses
 * its markup: headings' hashes, emphasis, links' targets, code fences); a PDF's text is read with Apache PDFBox.
 * Passages are whole sentences, packed up to {@link #PASSAGE_CHARS} characters within a paragraph (a heading stays
 * with what follows it), so that each passage found makes sense when read out alone.
 */
public final class KnowledgeText {

    /** The media types a document may have. */
    public static final List<String> MEDIA_TYPES = List.of("text/plain", "text/markdown", "application/pdf");
    /** A passage's length, at most (a longer sentence is cut between words). */
    static final int PASSAGE_CHARS = 700;

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=\\S)");
    private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
    /** PostgreSQL's text search configurations, by a language's primary subtag; any other language: {@code simple}. */
    private static final Map<String, String> CONFIGS = Map.ofEntries(Map.entry("da", "danish"), Map.entry("nl", "dutch"),
            Map.entry("en", "english"), Map.entry("fi", "finnish"), Map.entry("fr", "french"), Map.entry("de", "german"),
            Map.entry("hu", "hungarian"), Map.entry("it", "italian"), Map.entry("nb", "norwegian"), Map.entry("no", "norwegian"),
            Map.entry("pt", "portuguese"), Map.entry("ro", "romanian"), Map.entry("ru", "russian"), Map.entry("es", "spanish"),
            Map.entry("sv", "swedish"), Map.entry("tr", "turkish"));

    private KnowledgeText() {}

    /** The text search configuration for a persona's language (BCP-47). */
    public static String config(String language) {
        String primary = language == null ? "" : language.split("-")[0].toLowerCase(Locale.ROOT);
        return CONFIGS.getOrDefault(primary, "simple");
    }

    /** The document's text; a 415 for another media type, a 422 when there is no text to be had. */
    public static String text(String mediaType, byte[] content) {
        String text = switch (mediaType) {
            case "text/plain" -> utf8(content);
            case "text/markdown" -> plainMarkdown(utf8(content));
            case "application/pdf" -> pdf(content);
            default -> throw new ApiProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "A document is text/plain, text/markdown or application/pdf, not " + mediaType);
        };
        text = text.replace("\r\n", "\n").replace('\r', '\n').replaceAll("[\\p{Cc}&&[^\\n\\t]]", " ");
        if (text.isBlank()) {
            throw unreadable("the document has no text"
                    + ("application/pdf".equals(mediaType) ? " (a scanned PDF needs a text layer: run it through OCR first)" : ""));
        }
        return text;
    }

    /** The text cut into passages, in order. */
    public static List<String> passages(String text) {
        List<String> passages = new ArrayList<>();
        String carried = "";   // a heading or a short line, kept with the paragraph after it
        for (String paragraph : PARAGRAPH.split(text)) {
            String p = paragraph.replaceAll("\\s+", " ").strip();
            if (p.isEmpty()) continue;
            if (!carried.isEmpty()) {
                p = carried + " " + p;
                carried = "";
            }
            if (p.length() < 60 && !p.matches(".*[.!?]$")) {   // a heading: said with what it heads
                carried = p;
                continue;
            }
            StringBuilder passage = new StringBuilder();
            for (String sentence : SENTENCE_END.split(p)) {
                for (String piece : pieces(sentence)) {
                    if (passage.length() > 0 && passage.length() + 1 + piece.length() > PASSAGE_CHARS) {
                        passages.add(passage.toString());
                        passage.setLength(0);
                    }
                    if (passage.length() > 0) passage.append(' ');
                    passage.append(piece);
                }
            }
            if (passage.length() > 0) passages.add(passage.toString());
        }
        if (!carried.isEmpty()) passages.add(carried);
        return passages;
    }

    /** A sentence, cut between words into pieces of at most {@link #PASSAGE_CHARS}. */
    private static List<String> pieces(String sentence) {
        if (sentence.length() <= PASSAGE_CHARS) return List.of(sentence);
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String word : sentence.split(" ")) {
            while (word.length() > PASSAGE_CHARS) {   // no spaces at all: cut where it must be
                if (piece.length() > 0) {
                    pieces.add(piece.toString());
                    piece.setLength(0);
                }
                pieces.add(word.substring(0, PASSAGE_CHARS));
                word = word.substring(PASSAGE_CHARS);
            }
            if (piece.length() > 0 && piece.length() + 1 + word.length() > PASSAGE_CHARS) {
                pieces.add(piece.toString());
                piece.setLength(0);
            }
            if (piece.length() > 0) piece.append(' ');
            piece.append(word);
        }
        if (piece.length() > 0) pieces.add(piece.toString());
        return pieces;
    }

    private static String utf8(byte[] content) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw unreadable("the document is not UTF-8 text");
        }
    }

    /** Markdown as it would be read: no heading hashes, emphasis, link targets, images, code fences or table rules. */
    static String plainMarkdown(String markdown) {
        return markdown
                .replaceAll("(?m)^```.*$", "")
                .replaceAll("(?m)^[ \\t]{0,3}#{1,6}[ \\t]*", "")      // [ \t], not \s: a blank line before a heading stays
                .replaceAll("(?m)^[ \\t]*[-*+][ \\t]+", "")
                .replaceAll("(?m)^[ \\t]*>[ \\t]?", "")
                .replaceAll("(?m)^[ \\t]*\\|?[ \\t]*:?-{3,}.*$", "")
                .replaceAll("!\\[([^]]*)]\\([^)]*\\)", "$1")
                .replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1")
                .replaceAll("(\\*\\*|__|\\*|_|`)(\\S(?:.*?\\S)?)\\1", "$2")
                .replace("|", " ");
    }

    private static String pdf(byte[] content) {
        try (PDDocument document = Loader.loadPDF(content)) {
            return new PDFTextStripper().getText(document);
        } catch (InvalidPasswordException e) {
            throw unreadable("the PDF is encrypted: upload it without a password");
        } catch (IOException | RuntimeException e) {
            throw unreadable("the PDF cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static ApiProblemException unreadable(String why) {
        return new ApiProblemException(ProblemType.VALIDATION_ERROR, "The document cannot be used: " + why,
                List.of(new ApiProblemException.FieldError("body", why)));
    }
}
