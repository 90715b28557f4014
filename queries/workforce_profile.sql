-- In-post workers in scope without personal data, for distributions: role, tenure in years to the data date, training hours, certificate; $district, $street nullable.
with
data_date as (
    select coalesce(try_cast(max(value) as date), current_date) as on_date
    from meta
    where key = 'data_date'
),

final as (
    select
        w.role,
        round(date_diff('day', w.appointed_on, dd.on_date) / 365.25, 1) as tenure_years,
        w.training_hours,
        coalesce(nullif(w.certificate, ''), '无') as certificate
    from worker as w
    cross join data_date as dd
    where w.status = '在岗'
        and ($district is null or w.district_code = $district)
        and ($street is null or w.street_code = $street)
)

select * from final
