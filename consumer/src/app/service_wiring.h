#pragma once

#include "config/config.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "sink/elasticsearch/elasticsearch_sink_options.h"
#include "sink/sqlite/sqlite_sink.h"

namespace cdc {

// Maps the validated Config onto each component's options. Pure functions; any thread.
PipelineOptions MakePipelineOptions(const Config& config);
ElasticsearchSinkOptions MakeElasticsearchOptions(const Config& config);
SqliteSinkOptions MakeSqliteOptions(const Config& config);

// The sink of `run`: the Elasticsearch sink when es-url is set, else the embedded SQLite store.
SinkFactory MakeSinkFactory(const Config& config, Metrics* metrics);
// True when `run` writes to the embedded store.
inline bool UsesEmbeddedStore(const Config& config) { return config.es_urls.empty(); }

}  // namespace cdc
