/**
 * Conventions every feature uses for metrics and logs: the meter names and tags
 * ({@link dev.yardmaster.observability.Meters}) and the roll id on log lines
 * ({@link dev.yardmaster.observability.RollLogContext}). The features record the values.
 */
package dev.yardmaster.observability;
