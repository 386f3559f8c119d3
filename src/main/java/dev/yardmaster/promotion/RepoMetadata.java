package dev.yardmaster.promotion;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads what a yum repository's metadata says it holds: repomd.xml names the primary file,
 * and primary.xml lists each package's name, epoch, version, release and arch. This is what
 * dnf will see, so it is what a promotion is checked against.
 */
final class RepoMetadata {

    /** One package entry of primary.xml. */
    record Entry(String name, String epoch, String version, String release, String arch) {
        /** name-[epoch:]version-release.arch, the epoch only when not 0. */
        String nevra() {
            String e = epoch == null || epoch.isEmpty() || epoch.equals("0") ? "" : epoch + ":";
            return name + "-" + e + version + "-" + release + "." + arch;
        }
    }

    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private RepoMetadata() {
    }

    /** The href of the primary metadata file in repomd.xml. */
    static String primaryLocation(byte[] repomd) {
        try {
            XMLStreamReader reader = XML.createXMLStreamReader(new ByteArrayInputStream(repomd));
            boolean inPrimary = false;
            while (reader.hasNext()) {
                if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                    if (reader.getLocalName().equals("data")) {
                        inPrimary = "primary".equals(reader.getAttributeValue(null, "type"));
                    } else if (inPrimary && reader.getLocalName().equals("location")) {
                        return reader.getAttributeValue(null, "href");
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new RepoException("repomd.xml is not readable XML: " + e.getMessage());
        }
        throw new RepoException("repomd.xml names no primary metadata");
    }

    /** Every package in a primary.xml (plain or gzip-compressed). */
    static List<Entry> packages(byte[] primary, String href) {
        try (InputStream in = href.endsWith(".gz") ? new GZIPInputStream(new ByteArrayInputStream(primary))
                : new ByteArrayInputStream(primary)) {
            XMLStreamReader reader = XML.createXMLStreamReader(in);
            List<Entry> entries = new ArrayList<>();
            String name = null;
            String arch = null;
            boolean inPackage = false;
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    switch (reader.getLocalName()) {
                        case "package" -> {
                            inPackage = true;
                            name = null;
                            arch = null;
                        }
                        case "name" -> {
                            if (inPackage && name == null) {
                                name = reader.getElementText();
                            }
                        }
                        case "arch" -> {
                            if (inPackage && arch == null) {
                                arch = reader.getElementText();
                            }
                        }
                        case "version" -> {
                            if (inPackage) {
                                entries.add(new Entry(name, reader.getAttributeValue(null, "epoch"),
                                        reader.getAttributeValue(null, "ver"), reader.getAttributeValue(null, "rel"), arch));
                            }
                        }
                        default -> {
                        }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT && reader.getLocalName().equals("package")) {
                    inPackage = false;
                }
            }
            return entries;
        } catch (IOException | XMLStreamException e) {
            throw new RepoException("primary metadata " + href + " is not readable: " + e.getMessage());
        }
    }
}
