package newsflow.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/**
 * The analyzer {@code english}, as Elasticsearch's analysis-common module defines it with default settings:
 * Lucene's EnglishAnalyzer (standard tokenizer, English possessive filter, lower case, English stop words,
 * Porter stemmer). Only installed where analysis-common is missing (the integ-test-zip distribution).
 */
@NamedComponent("english")
public class EnglishAnalyzerFactory implements AnalyzerFactory {

    @Override
    public Analyzer create() {
        return new EnglishAnalyzer();
    }
}
