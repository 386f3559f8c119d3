package dev.yardmaster.repo;

import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * build/ on the repo server over SFTP, on one SSH session per scan (opened by
 * {@link RepoServers#files()}, closed with this reader). Names travel as SFTP paths, never
 * through a shell, so odd names are harmless here; the catalog rejects them anyway.
 */
public class SftpRepoFiles implements RepoFiles {

    private final SshConnection connection;
    private final List<SftpClient> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** MINA's SftpClient takes one request at a time; each reader thread gets its own channel. */
    private final ThreadLocal<SftpClient> channels = new ThreadLocal<>();
    private final String build;
    private volatile String realBuild;

    SftpRepoFiles(SshConnection connection, String root) throws SshFailure {
        this.connection = connection;
        this.build = (root.endsWith("/") ? root : root + "/") + "build";
    }

    private SftpClient sftp() throws SshFailure {
        SftpClient client = channels.get();
        if (client == null || !client.isOpen()) {
            client = connection.sftp();
            opened.add(client);
            channels.set(client);
        }
        return client;
    }

    @Override
    public List<Entry> listBuild() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (SftpClient.DirEntry dir : sftp().readDir(build)) {
            String name = dir.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            try {
                entries.add(entry(name, dir.getAttributes()));
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
                // Removed between listing and stat.
            }
        }
        return entries;
    }

    @Override
    public Entry stat(String name) throws IOException {
        return entry(name, sftp().lstat(path(name)));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return sftp().read(path(name));
    }

    @Override
    public String describe() {
        return connection.where() + ":" + build;
    }

    @Override
    public void close() throws IOException {
        try {
            for (SftpClient client : opened) {
                try {
                    client.close();
                } catch (IOException e) {
                    // The session is closed next anyway.
                }
            }
        } finally {
            connection.close();
        }
    }

    private String path(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a file of build/: " + name);
        }
        return build + "/" + name;
    }

    /** {@code own} are the entry's own (lstat) attributes, as readdir reports them. */
    private Entry entry(String name, SftpClient.Attributes own) throws IOException {
        if (!own.isSymbolicLink()) {
            return new Entry(name, own.getSize(), own.getModifyTime().toInstant(), own.isRegularFile(), false, null, true);
        }
        String link = sftp().readLink(path(name));
        String target;
        SftpClient.Attributes real;
        try {
            target = sftp().canonicalPath(path(name));
            real = sftp().stat(path(name));
        } catch (SftpException dangling) {
            return new Entry(name, 0, own.getModifyTime().toInstant(), false, true, link, false);
        }
        boolean inside = target.startsWith(realBuild() + "/") && target.indexOf('/', realBuild().length() + 1) < 0;
        return new Entry(name, real.getSize(), real.getModifyTime().toInstant(), real.isRegularFile(), true, target, inside);
    }

    private String realBuild() throws IOException {
        String real = realBuild;
        if (real == null) {
            real = sftp().canonicalPath(build);
            realBuild = real;
        }
        return real;
    }
}
