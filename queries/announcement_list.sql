-- Service announcements, newest first: all, or $district's plus city-wide ones ($district nullable); at most $max_rows rows.
with
final as (
    select
        a.id,
        a.title,
        a.published_on,
        a.district_code,
        d.name as district_name,
        d.name_en as district_name_en,
        a.body,
        a.link,
        a.title_en,
        a.body_en
    from announcement as a
    left join district as d on a.district_code = d.code
    where $district is null or a.district_code is null or a.district_code = $district
)

select * from final
order by published_on desc, id desc
limit $max_rows
