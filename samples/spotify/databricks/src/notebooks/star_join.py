# Databricks notebook source
# MAGIC %md
# MAGIC # Listening by user, track and day
# MAGIC The star join of the gold schema, generated from a parameter list with Jinja.

# COMMAND ----------

from jinja2 import Template

# The fact first, then each dimension with its join condition.
parameters = [
    {
        "table": "spotify_catalog.gold.fact_stream",
        "alias": "fact_stream",
        "cols": "fact_stream.stream_id, fact_stream.listen_duration, fact_stream.device_type",
    },
    {
        "table": "spotify_catalog.gold.dim_user",
        "alias": "dim_user",
        "cols": "dim_user.user_name, dim_user.country",
        "condition": "fact_stream.user_id = dim_user.user_id AND dim_user.__END_AT IS NULL",
    },
    {
        "table": "spotify_catalog.gold.dim_track",
        "alias": "dim_track",
        "cols": "dim_track.track_name, dim_track.album_name",
        "condition": "fact_stream.track_id = dim_track.track_id AND dim_track.__END_AT IS NULL",
    },
    {
        "table": "spotify_catalog.gold.dim_date",
        "alias": "dim_date",
        "cols": "dim_date.date, dim_date.weekday",
        "condition": "fact_stream.date_key = dim_date.date_key",
    },
]

query_text = """
SELECT
  {% for param in parameters %}
    {{ param.cols }}{% if not loop.last %},{% endif %}
  {% endfor %}
FROM
  {% for param in parameters %}
    {% if loop.first %}
      {{ param['table'] }} AS {{ param['alias'] }}
    {% else %}
      LEFT JOIN {{ param['table'] }} AS {{ param['alias'] }}
        ON {{ param['condition'] }}
    {% endif %}
  {% endfor %}
"""

jinja_sql_str = Template(query_text)
query = jinja_sql_str.render(parameters=parameters)
print(query)

# COMMAND ----------

display(spark.sql(query))
