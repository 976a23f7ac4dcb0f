package io.parley.platform.web;

import io.parley.platform.config.ParleyProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses bodies over {@code parley.api.max-body-bytes} (a knowledge document: {@code parley.knowledge.max-document-bytes},
 * 5 MB) with a 413 problem: at once when
 * Content-Length says so, or as soon as a chunked body passes the limit while it is read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BodySizeLimitFilter extends OncePerRequestFilter {

    /** Thrown while reading a body past the limit; mapped to 413 wherever it surfaces. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("The request body is larger than " + limit + " bytes");
        }
    }

    /** A document for a persona's knowledge, the one body that may be larger. */
    private static final java.util.regex.Pattern DOCUMENT_UPLOAD = java.util.regex.Pattern.compile("^/v1/personas/[^/]+/knowledge/?$");

    private final long defaultLimit;
    private final long documentLimit;
    private final ProblemWriter problems;

    public BodySizeLimitFilter(ParleyProperties properties, ProblemWriter problems,
                               @org.springframework.beans.factory.annotation.Value("${parley.knowledge.max-document-bytes:5MB}")
                               org.springframework.util.unit.DataSize documentLimit) {
        this.defaultLimit = properties.api().maxBodyBytes().toBytes();
        this.documentLimit = documentLimit.toBytes();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = "POST".equals(request.getMethod()) && DOCUMENT_UPLOAD.matcher(request.getRequestURI()).matches() ? documentLimit : defaultLimit;
        if (request.getContentLengthLong() > limit) {
            problems.write(request, response, ProblemType.CONTENT_TOO_LARGE, "The request body is larger than " + limit + " bytes");
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), limit);
            }
            return stream;
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private long read;

        LimitedStream(ServletInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
