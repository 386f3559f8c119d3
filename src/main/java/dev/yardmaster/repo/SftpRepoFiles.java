package dev.yardmaster.repo;

import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import dev.yardmaster.ssh.SshSessions;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * build/ on the remote repo server, read over SFTP through the application's SSH layer (host
 * key checked against known_hosts). One connection per scan: opened lazily, closed with
 * {@link #close()}. No shell is involved, so odd file names are never interpreted.
 */
public class SftpRepoFiles implements RepoFiles {

    private final SshSessions sessions;
    private final String user;
    private final String host;
    private final int port;
    private final String root;
    private SshConnection connection;
    private SftpClient sftp;
    private String build;
    private String realBuild;
    /**
     * MINA's SftpClient takes one request at a time ("A write operation is already pending"
     * when the catalog's readers share it), so each reader thread gets its own SFTP channel
     * on the one SSH session.
     */
    private final ThreadLocal<SftpClient> channels = new ThreadLocal<>();
    private final List<SftpClient> extra = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SftpRepoFiles(SshSessions sessions, String user, String host, int port, String root) {
        this.sessions = sessions;
        this.user = user;
        this.host = host;
        this.port = port;
        this.root = root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1) : root;
    }

    private SftpClient sftp() throws IOException {
        SftpClient main = mainChannel();
        SftpClient own = channels.get();
        if (own != null && own.isOpen()) {
            return own;
        }
        if (channels.get() == null && Thread.currentThread() == owner) {
            return main;
        }
        synchronized (this) {
            try {
                own = connection.sftp();
            } catch (SshFailure e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        extra.add(own);
        channels.set(own);
        return own;
    }

    private volatile Thread owner;

    private synchronized SftpClient mainChannel() throws IOException {
        if (sftp == null || !sftp.isOpen()) {
            close();
            try {
                connection = sessions.connect(user, host, port);
                sftp = connection.sftp();
            } catch (SshFailure e) {
                close();
                throw new IOException(e.getMessage(), e);
            }
            build = root + "/build";
            realBuild = sftp.canonicalPath(build);
            owner = Thread.currentThread();
        }
        return sftp;
    }

    @Override
    public List<Entry> listBuild() throws IOException {
        SftpClient client = sftp();
        List<Entry> entries = new ArrayList<>();
        for (SftpClient.DirEntry dirEntry : client.readDir(build)) {
            String name = dirEntry.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            try {
                entries.add(entry(client, name, dirEntry.getAttributes()));
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
                // Removed between listing and stat: it simply is not there.
            }
        }
        return entries;
    }

    @Override
    public Entry stat(String name) throws IOException {
        SftpClient client = sftp();
        return entry(client, name, client.lstat(path(name)));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return sftp().read(path(name));
    }

    @Override
    public String describe() {
        return user + "@" + host + ":" + port + ":" + root + "/build";
    }

    @Override
    public synchronized void close() {
        for (SftpClient client : extra) {
            try {
                client.close();
            } catch (IOException ignored) {
                // The session goes with it below.
            }
        }
        extra.clear();
        if (sftp != null) {
            try {
                sftp.close();
            } catch (IOException ignored) {
                // The session goes with it below.
            }
            sftp = null;
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private String path(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a file of build/: " + name);
        }
        return build + "/" + name;
    }

    private Entry entry(SftpClient client, String name, SftpClient.Attributes own) throws IOException {
        if (!own.isSymbolicLink()) {
            return new Entry(name, own.getSize(), modified(own), own.isRegularFile(), false, null, true);
        }
        String link = path(name);
        String target;
        SftpClient.Attributes real;
        try {
            real = client.stat(link);
            target = client.canonicalPath(link);
        } catch (SftpException dangling) {
            String text = client.readLink(link);
            return new Entry(name, 0, modified(own), false, true, text, false);
        }
        boolean inside = target.startsWith(realBuild + "/") && target.indexOf('/', realBuild.length() + 1) < 0;
        return new Entry(name, real.getSize(), modified(real), real.isRegularFile(), true, target, inside);
    }

    private static Instant modified(SftpClient.Attributes attributes) {
        return attributes.getModifyTime() == null ? Instant.EPOCH : attributes.getModifyTime().toInstant();
    }
}
