package io.flotilla.sandbox;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running native launcher: the pipe we write START and KILL frames to, and a thread that reads its events
 * and hands them to a {@link Listener}. When the launcher dies, the listener hears it once, with the reason.
 */
final class LauncherProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LauncherProcess.class);
    private static final int STDERR_LINES_KEPT = 20;

    /** Called on the reader thread, in the order the launcher sent the events. */
    interface Listener {
        void started(LauncherProcess launcher, LauncherEvent.Started event);

        void finished(LauncherProcess launcher, LauncherEvent.Finished event);

        void died(LauncherProcess launcher, String reason);
    }

    private final Process process;
    private final OutputStream requests;
    private final Deque<String> lastStderrLines = new ArrayDeque<>();
    private volatile boolean closing;

    private LauncherProcess(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
    }

    /** Starts a launcher and waits until it is ready for jobs, or says why it could not start. */
    static LauncherProcess start(Path binary, Path stateDir, int uid, int gid, Listener listener) throws IOException {
        Process process = new ProcessBuilder(binary.toString(), stateDir.toString(), Integer.toString(uid),
                Integer.toString(gid)).start();
        LauncherProcess launcher = new LauncherProcess(process);
        Thread stderr = new Thread(launcher::logStderr, "flotilla-launcher-stderr-" + process.pid());
        stderr.setDaemon(true);
        stderr.start();
        DataInputStream events = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        try {
            LauncherEvent first = LauncherEvent.read(events);
            if (!(first instanceof LauncherEvent.Ready)) {
                throw new IOException("the sandbox launcher sent " + first + " before it was ready");
            }
        } catch (EOFException e) {
            throw new IOException("the sandbox launcher could not start: " + launcher.exitDescription(stderr));
        }
        Thread reader = new Thread(() -> launcher.readEvents(events, listener), "flotilla-launcher-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return launcher;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    synchronized void send(byte[] frame) throws IOException {
        requests.write(frame);
        requests.flush();
    }

    private void readEvents(DataInputStream events, Listener listener) {
        String reason;
        try {
            while (true) {
                LauncherEvent event = LauncherEvent.read(events);
                if (event instanceof LauncherEvent.Started started) {
                    listener.started(this, started);
                } else if (event instanceof LauncherEvent.Finished finished) {
                    listener.finished(this, finished);
                }
            }
        } catch (EOFException e) {
            reason = "the sandbox launcher (pid " + process.pid() + ") died: " + exitDescription(null);
        } catch (IOException | RuntimeException e) {
            reason = "lost the sandbox launcher (pid " + process.pid() + "): " + e.getMessage();
            process.destroyForcibly();
        }
        if (!closing) {
            log.warn("{}", reason);
        }
        listener.died(this, reason);
    }

    private void logStderr() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.warn("{}", line);
                synchronized (lastStderrLines) {
                    lastStderrLines.addLast(line);
                    if (lastStderrLines.size() > STDERR_LINES_KEPT) {
                        lastStderrLines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("launcher stderr closed", e);
        }
    }

    /** "exit status 2: <its last stderr line>", or "killed by signal 9". Waits briefly for the process to end. */
    private String exitDescription(Thread stderrReader) {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            if (stderrReader != null) {
                stderrReader.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int status = process.isAlive() ? -1 : process.exitValue();
        String how = status > 128 ? "killed by signal " + (status - 128) : "exit status " + status;
        synchronized (lastStderrLines) {
            return lastStderrLines.isEmpty() ? how : how + ": " + lastStderrLines.peekLast();
        }
    }

    /** Closing the control pipe makes the launcher kill every job it runs and exit. */
    @Override
    public void close() {
        closing = true;
        try {
            requests.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
