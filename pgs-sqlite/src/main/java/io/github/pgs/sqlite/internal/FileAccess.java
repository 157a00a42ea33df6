package io.github.pgs.sqlite.internal;

import io.github.pgs.StorageException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who can read and replace an SQLite store's files: the folder and the database file are created with the
 * configured permissions (owner-only by default), and an existing folder or file that belongs to another user is
 * refused (or, when allowed, used with a warning).
 *
 * <h2>Algorithm</h2>
 * Missing folders are created with the file permissions plus the matching execute bits ({@code rw-------} gives
 * {@code rwx------}). A missing database file is created empty, with exactly the configured permissions (set after
 * creation, so the umask does not narrow them), before SQLite opens it: SQLite gives the write-ahead log and the
 * shared-memory file the permissions of the database file, so all three end up alike. The folder (its real path)
 * and an existing file are then checked: owned by a user other than this process's and other than root means
 * that user can read every state and replace the database, so the store refuses to open unless the caller allowed
 * it; a folder that group or others can write (and that is not sticky) lets them replace the file, which is
 * reported as a warning.
 *
 * <h2>Hazards</h2>
 * Existing files keep their permissions (the store never loosens or tightens what an operator chose). On a file
 * system without POSIX permissions (Windows), folders are created plainly and nothing is checked.
 */
public final class FileAccess {

    private FileAccess() {
    }

    /**
     * Prepares {@code file} (absolute) for a store: creates what is missing with {@code permissions} and checks who
     * owns the rest.
     *
     * @param allowForeign whether a folder or file of another user is used (with a warning) instead of refused
     * @return warnings to log (none on the usual path)
     * @throws StorageException if a folder or file belongs to another user and that is not allowed
     * @throws IOException      if a folder or the file cannot be created or read
     */
    public static List<String> prepare(Path file, Set<PosixFilePermission> permissions, boolean allowForeign)
            throws IOException {
        Path folder = file.getParent();
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            if (folder != null) {
                Files.createDirectories(folder);
            }
            return List.of();
        }
        List<String> warnings = new ArrayList<>(0);
        if (folder != null) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(folderPermissions(permissions)));
            Path real = folder.toRealPath();
            int uid = NativeLibraryCache.currentUid(Path.of(System.getProperty("java.io.tmpdir")));
            Map<String, Object> a = Files.readAttributes(real, "unix:uid,mode");
            checkOwner(real, "folder", (int) a.get("uid"), uid, allowForeign, warnings);
            int mode = (int) a.get("mode");
            if ((mode & 0022) != 0 && (mode & 01000) == 0) {
                warnings.add("the folder " + real + " can be written by other users (mode "
                        + Integer.toOctalString(mode & 07777) + "): they can replace the database file");
            }
            createFile(file, permissions);
            checkOwner(file, "database file", (int) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    uid, allowForeign, warnings);
        }
        return warnings;
    }

    /** The folder permissions for {@code file} permissions: each class that may read may also enter. */
    static Set<PosixFilePermission> folderPermissions(Set<PosixFilePermission> file) {
        Set<PosixFilePermission> out = EnumSet.copyOf(file);
        out.add(PosixFilePermission.OWNER_EXECUTE);
        if (file.contains(PosixFilePermission.GROUP_READ)) {
            out.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (file.contains(PosixFilePermission.OTHERS_READ)) {
            out.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return out;
    }

    private static void createFile(Path file, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
        } catch (FileAlreadyExistsException exists) {
            return; // an existing file keeps the permissions it has
        }
        Files.setPosixFilePermissions(file, permissions); // exactly these, whatever the umask took away
    }

    private static void checkOwner(Path p, String what, int owner, int uid, boolean allowForeign,
                                   List<String> warnings) {
        if (owner == uid || owner == 0) {
            return;
        }
        String problem = "the " + what + " " + p + " belongs to another user (uid " + owner + "), who can read every"
                + " state in it and replace it";
        if (!allowForeign) {
            throw new StorageException(problem + "; use a folder of this user's, or allow it with"
                    + " SqliteOptions.Builder.allowForeignOwner(true)", null);
        }
        warnings.add(problem);
    }
}
