package io.flotilla.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A gate that jobs on any node wait at until the test opens it: each job connects to a port on loopback (with the
 * host's network) and blocks reading a line, which the gate sends when it opens, and at once to anyone who comes
 * later. Jobs cannot share a host directory with the test: a node's paths never cross the wire.
 */
public final class TcpGate implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> waiting = new ArrayList<>();
    private boolean open;

    public TcpGate() throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-gate");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A bash command that returns once the gate is open; run it with the host's network. */
    public String waitCommand() {
        return "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort() + " && read -r -u 3 line";
    }

    private void accept() {
        try {
            while (true) {
                Socket job = server.accept();
                synchronized (this) {
                    if (open) {
                        release(job);
                    } else {
                        waiting.add(job);
                    }
                }
            }
        } catch (IOException closed) {
            // the gate is closed
        }
    }

    public synchronized void open() throws IOException {
        open = true;
        for (Socket job : waiting) {
            release(job);
        }
        waiting.clear();
    }

    private static void release(Socket job) throws IOException {
        OutputStream out = job.getOutputStream();
        out.write("open\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        for (Socket job : waiting) {
            job.close();
        }
    }
}
