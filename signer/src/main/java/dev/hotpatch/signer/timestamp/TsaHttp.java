package dev.hotpatch.signer.timestamp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * One HTTP exchange with a time-stamping server (RFC 3161 section 3.4): POST the query, read a bounded answer.
 * HttpURLConnection is used for its per-read timeout; a deadline on top bounds an answer that trickles in.
 */
final class TsaHttp {
    private TsaHttp() {}

    static final String QUERY_TYPE = "application/timestamp-query";
    static final String REPLY_TYPE = "application/timestamp-reply";

    static byte[] post(URI server, byte[] query, TimestampSettings settings) throws TsaFailure {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) server.toURL().openConnection();
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new TsaFailure("is not a URL this client can open (" + e.getMessage() + ")", false);
        }
        try {
            connection.setConnectTimeout((int) settings.connectTimeout().toMillis());
            connection.setReadTimeout((int) settings.readTimeout().toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setDoOutput(true);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", QUERY_TYPE);
            connection.setRequestProperty("Accept", REPLY_TYPE);
            connection.setFixedLengthStreamingMode(query.length);
            try {
                connection.connect();
            } catch (SocketTimeoutException e) {
                throw new TsaFailure("did not accept a connection within " + seconds(settings.connectTimeout()), true);
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(query);
            }
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw httpFailure(status, connection);
            }
            long declared = connection.getContentLengthLong();
            if (declared > settings.maxResponseBytes()) {
                throw new TsaFailure("answered with " + declared + " bytes, more than the limit of "
                        + settings.maxResponseBytes(), false);
            }
            try (InputStream in = connection.getInputStream()) {
                return readBounded(in, settings);
            }
        } catch (ConnectException | NoRouteToHostException e) {
            throw new TsaFailure("refused the connection", true);
        } catch (UnknownHostException e) {
            throw new TsaFailure("has a host name that does not resolve", true);
        } catch (SocketTimeoutException e) {
            throw new TsaFailure("did not answer within " + seconds(settings.readTimeout()), true);
        } catch (IOException e) {
            throw new TsaFailure("broke off the exchange (" + e.getMessage() + ")", true);
        } finally {
            connection.disconnect();
        }
    }

    private static TsaFailure httpFailure(int status, HttpURLConnection connection) {
        InputStream error = connection.getErrorStream();
        if (error != null) {
            try (error) {
                error.readNBytes(4096);
            } catch (IOException ignored) {
                // Only drained so the connection can be reused; the status already says what went wrong.
            }
        }
        boolean transientStatus = status >= 500 || status == 408 || status == 429;
        String where = status >= 300 && status < 400 && connection.getHeaderField("Location") != null
                ? " (a redirect to " + connection.getHeaderField("Location") + "; pass that URL instead)" : "";
        return new TsaFailure("answered HTTP " + status + where, transientStatus);
    }

    private static byte[] readBounded(InputStream in, TimestampSettings settings) throws IOException, TsaFailure {
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        int limit = settings.maxResponseBytes();
        byte[] buffer = new byte[Math.min(limit + 1, 16 * 1024)];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > limit) {
                    throw new TsaFailure("answered with more than the limit of " + limit + " bytes", false);
                }
                buffer = java.util.Arrays.copyOf(buffer, Math.min(limit + 1, buffer.length * 2));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return java.util.Arrays.copyOf(buffer, length);
            }
            length += n;
            if (System.nanoTime() - deadline > 0) {
                throw new TsaFailure("did not finish its answer within " + seconds(settings.readTimeout()), true);
            }
        }
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
